using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Whether a stage of a batch changed anything on the batch's context: entries it added, modified or
/// deleted, or rows its statements wrote (<see cref="AppDbContext.StatementWrites"/>). Cheap while
/// stages save; property changes are looked for only when a stage refuses (<see cref="Changed"/>).
/// </summary>
internal sealed class StageChanges : IDisposable
{
    private static readonly ConditionalWeakTable<IModel, StrongBox<bool>> Navigations = new();

    private readonly AppDbContext _db;
    private readonly bool _navigations;

    // Entries tracked unchanged in this batch; those from _stageStart on were tracked by the running stage.
    private readonly List<EntityEntry> _unchanged = [];
    private int _stageStart;
    private long _entryChanges;
    private long _mark;

    public StageChanges(AppDbContext db)
    {
        _db = db;
        _navigations = Navigations.GetValue(db.Model, model => new StrongBox<bool>(HasNavigations(model))).Value; // once a model, not a batch
        db.ChangeTracker.Tracked += OnTracked;
        db.ChangeTracker.StateChanged += OnStateChanged;
    }

    private long Count => _entryChanges + _db.StatementWrites;

    /// <summary>Before a stage: what the stages before it changed is theirs, not its.</summary>
    public void Start()
    {
        // The last stage's entries may have been modified since it tracked them: found now (walking only
        // them, not the whole tracker), so that a later refusal is not blamed for them.
        for (var i = _stageStart; i < _unchanged.Count; i++)
        {
            Detect(_unchanged[i]);
        }

        _stageStart = _unchanged.Count;
        _mark = Count;
    }

    /// <summary>
    /// After a stage: has it changed anything? When in doubt yes (a modification by an earlier stage of
    /// an entry an even earlier one tracked counts too). A property the stage changed on an entry that
    /// was already modified is not seen: its entry's state does not change.
    /// </summary>
    public bool Changed()
    {
        if (_navigations)
        {
            _db.ChangeTracker.DetectChanges(); // a navigation may bring in new entities from any entry
        }
        else
        {
            // Without navigations only an unchanged entry can change state unseen, by a property set on
            // it: those are all that is looked at, and those that changed leave the list.
            _unchanged.RemoveAll(entry => Detect(entry) != EntityState.Unchanged);
            _stageStart = _unchanged.Count;
        }

        return Count != _mark;
    }

    public void Dispose()
    {
        _db.ChangeTracker.Tracked -= OnTracked;
        _db.ChangeTracker.StateChanged -= OnStateChanged;
    }

    private static EntityState Detect(EntityEntry entry)
    {
        if (entry.State == EntityState.Unchanged)
        {
            entry.DetectChanges();
        }

        return entry.State;
    }

    private static bool HasNavigations(IModel model) =>
        model.GetEntityTypes().Any(type => type.GetNavigations().Any() || type.GetSkipNavigations().Any());

    private void OnTracked(object? sender, EntityTrackedEventArgs e)
    {
        if (e.Entry.State == EntityState.Unchanged)
        {
            _unchanged.Add(e.Entry);
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
