// The benchmark's reference (benchmarks/run): the same add as OtpEmail.Admin's return-code mode,
// written the straightforward way with EF Core: one context and one SaveChanges per request, one
// writer at a time, no group commit, no prepared statements. It runs on the app's database (the
// app stopped) with the same bearer tokens, and answers in the contract's shape.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContextFactory<Naive>(options => options.UseSqlite(builder.Configuration["Database"]));
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.Authority = builder.Configuration["Authority"];
    options.RequireHttpsMetadata = false;
    options.MapInboundClaims = false;
    options.TokenValidationParameters.ValidateAudience = false;
});
builder.Services.AddAuthorization();
var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

var writer = new SemaphoreSlim(1);
var hashKey = RandomNumberGenerator.GetBytes(32);
var nextId = 900_000_000_000_000_000L + (DateTime.UtcNow.Ticks % 1_000_000_000_000L);

app.MapPost("/v3alpha/users/{userId}/otp_email", async (long userId, AddRequest request, HttpContext http, IDbContextFactory<Naive> dbs) =>
{
    var address = request.Email?.Address?.Trim();
    if (string.IsNullOrEmpty(address) || !address.Contains('@'))
    {
        return Results.BadRequest();
    }

    var code = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 8);
    await writer.WaitAsync();
    try
    {
        await using var db = await dbs.CreateDbContextAsync();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId && u.State != 3);
        if (user is null)
        {
            return Results.NotFound();
        }

        var normalized = address.ToLowerInvariant();
        if (await db.OtpEmails.AnyAsync(a => a.UserId == userId && a.NormalizedAddress == normalized && a.State != 3))
        {
            return Results.Conflict();
        }

        var sequence = (await db.UserEvents.Where(e => e.UserId == userId).MaxAsync(e => (long?)e.Sequence) ?? 0) + 1;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var id = Interlocked.Increment(ref nextId);
        var subject = http.User.FindFirst("sub")?.Value ?? "";
        db.OtpEmails.Add(new NaiveOtpEmail
        {
            Id = id,
            UserId = userId,
            Address = address,
            NormalizedAddress = normalized,
            State = 1,
            CodeHash = HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(code)),
            CodeExpiresAt = now + 600_000,
            CodeWindowStart = now,
            CodesInWindow = 1,
            CreatedAt = now,
            CreatedBy = subject,
        });
        db.UserEvents.Add(new NaiveEvent
        {
            Id = Interlocked.Increment(ref nextId),
            UserId = userId,
            OrganizationId = user.OrganizationId,
            Sequence = sequence,
            Type = "otp_email.added",
            OccurredAt = now,
            ActorSubject = subject,
            Payload = JsonSerializer.Serialize(new { otpEmailId = id.ToString(), address, mode = "return_code" }),
        });
        await db.SaveChangesAsync();
        return Results.Ok(new
        {
            details = new { sequence = sequence.ToString(), changeDate = DateTimeOffset.FromUnixTimeMilliseconds(now), resourceOwner = user.OrganizationId.ToString() },
            otpEmailId = id.ToString(),
            verificationCode = code,
        });
    }
    finally
    {
        writer.Release();
    }
}).RequireAuthorization();

app.Run();

internal sealed record AddRequest(AddEmail? Email);

internal sealed record AddEmail(string? Address);

internal sealed class Naive(DbContextOptions<Naive> options) : DbContext(options)
{
    public DbSet<NaiveUser> Users => Set<NaiveUser>();

    public DbSet<NaiveOtpEmail> OtpEmails => Set<NaiveOtpEmail>();

    public DbSet<NaiveEvent> UserEvents => Set<NaiveEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<NaiveUser>().ToTable("Users");
        modelBuilder.Entity<NaiveOtpEmail>().ToTable("OtpEmails");
        modelBuilder.Entity<NaiveEvent>().ToTable("UserEvents");
    }
}

internal sealed class NaiveUser
{
    public long Id { get; set; }

    public long OrganizationId { get; set; }

    public int State { get; set; }
}

internal sealed class NaiveOtpEmail
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public required string Address { get; set; }

    public required string NormalizedAddress { get; set; }

    public int State { get; set; }

    public byte[]? CodeHash { get; set; }

    public long? CodeExpiresAt { get; set; }

    public int FailedAttempts { get; set; }

    public long? CodeWindowStart { get; set; }

    public int CodesInWindow { get; set; }

    public long CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public long? VerifiedAt { get; set; }
}

internal sealed class NaiveEvent
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public long OrganizationId { get; set; }

    public long Sequence { get; set; }

    public required string Type { get; set; }

    public long OccurredAt { get; set; }

    public required string ActorSubject { get; set; }

    public string? ActorClient { get; set; }

    public required string Payload { get; set; }
}
