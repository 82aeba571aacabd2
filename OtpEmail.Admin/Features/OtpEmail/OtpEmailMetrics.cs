using System.Diagnostics.Metrics;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Telemetry;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>What happens to OTP Email authenticators, counted after each commit (a write that runs twice counts once).</summary>
public sealed class OtpEmailMetrics
{
    private readonly Counter<long> _added;
    private readonly Counter<long> _codesIssued;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _usersUnderAttack;

    public OtpEmailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(AppTelemetry.Name);
        _added = meter.CreateCounter<long>("otpemail.authenticators.added", "{authenticator}", "OTP Email authenticators added, by verification mode");
        _codesIssued = meter.CreateCounter<long>("otpemail.codes.issued", "{code}", "Verification codes issued, by how they went out");
        _verifications = meter.CreateCounter<long>("otpemail.verifications", "{attempt}", "Verification attempts, by door (api, link) and outcome");
        _usersUnderAttack = meter.CreateCounter<long>("otpemail.link.users_under_attack", "{user}",
            "Users whose verification links took more wrong codes in an hour than Otp:LinkFailuresPerUserBeforeWarning (once a user and hour)");
    }

    public void Added(Verification verification)
    {
        _added.Add(1, new KeyValuePair<string, object?>("mode", verification.Name));
        if (verification.Mode != VerificationMode.AlreadyVerified)
        {
            CodeIssued(verification);
        }
    }

    public void CodeIssued(Verification verification) =>
        _codesIssued.Add(1, new KeyValuePair<string, object?>("mode", verification.Name));

    /// <summary>The outcome is "verified" or the refusal's error id (a short, fixed list).</summary>
    public void Verification<T>(string door, Result<T> outcome) =>
        _verifications.Add(1, new KeyValuePair<string, object?>("door", door),
            new KeyValuePair<string, object?>("outcome", outcome.IsSuccess ? "verified" : outcome.Error.Id));

    /// <summary>One user's links crossed the hourly warning threshold of wrong codes.</summary>
    public void UserUnderAttack() => _usersUnderAttack.Add(1);
}
