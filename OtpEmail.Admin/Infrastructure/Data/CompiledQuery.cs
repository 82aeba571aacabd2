namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// A compiled query for each provider: EF Core binds a compiled query to the model it first runs
/// against, and SQLite and PostgreSQL each have their own. <paramref name="compile"/> is called once
/// per provider.
/// </summary>
public sealed class CompiledQuery<TQuery>(Func<TQuery> compile)
    where TQuery : Delegate
{
    private readonly Lazy<TQuery> _sqlite = new(compile);
    private readonly Lazy<TQuery> _postgres = new(compile);

    public TQuery For(AppDbContext db) => db is PostgresDbContext ? _postgres.Value : _sqlite.Value;
}
