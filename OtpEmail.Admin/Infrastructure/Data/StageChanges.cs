using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Whether a stage of a batch changed anything on the batch's context: entries it added, modified or
/// deleted, or rows its statements wrote (<see cref="AppDbContext.StatementWrites"/>). Cheap while
/// stages save; property changes are looked for only when a stage refuses (<see cref="Changed"/>).
/// </summary>
internal sealed class StageChanges : IDisposable
{
    private readonly AppDbContext _db;
    private readonly List<EntityEntry> _undetected = [];
    private long _entryChanges;
    private long _mark;

    public StageChanges(AppDbContext db)
    {
        _db = db;
        db.ChangeTracker.Tracked += OnTracked;
        db.ChangeTracker.StateChanged += OnStateChanged;
    }

    private long Count => _entryChanges + _db.StatementWrites;

    /// <summary>Before a stage: what the stages before it changed is theirs, not its.</summary>
    public void Start()
    {
        // Entries the earlier stages began tracking unchanged may have been modified since; found now,
        // so that a later refusal is not blamed for them. (Detection walks only these, not the whole tracker.)
        foreach (var entry in _undetected)
        {
            if (entry.State == EntityState.Unchanged)
            {
                entry.DetectChanges();
            }
        }

        _undetected.Clear();
        _mark = Count;
    }

    /// <summary>
    /// After a stage: has it changed anything? When in doubt yes (a modification by an earlier stage of
    /// an entry an even earlier one tracked counts too). A property the stage changed on an entry that
    /// was already modified is not seen: its entry's state does not change.
    /// </summary>
    public bool Changed()
    {
        _db.ChangeTracker.DetectChanges();
        return Count != _mark;
    }

    public void Dispose()
    {
        _db.ChangeTracker.Tracked -= OnTracked;
        _db.ChangeTracker.StateChanged -= OnStateChanged;
    }

    private void OnTracked(object? sender, EntityTrackedEventArgs e)
    {
        if (e.Entry.State == EntityState.Unchanged)
        {
            _undetected.Add(e.Entry);
        }
        else
        {
            _entryChanges++;
        }
    }

    private void OnStateChanged(object? sender, EntityStateChangedEventArgs e)
    {
        if (e.NewState is EntityState.Added or EntityState.Modified or EntityState.Deleted)
        {
            _entryChanges++;
        }
    }
}
