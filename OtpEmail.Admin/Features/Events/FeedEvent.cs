using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Bulk;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;

namespace OtpEmail.Admin.Features.Events;

/// <summary>
/// An event as the feed and the webhooks publish it: facts only, never a code, a token or a link.
/// <see cref="Position"/> is its place in the feed (none in a webhook's body).
/// </summary>
public sealed record FeedEvent(
    string Id,
    string Type,
    DateTimeOffset OccurredAt,
    string OrganizationId,
    string? UserId,
    string? OtpEmailId,
    string Actor,
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString)] long Sequence,
    JsonObject Data,
    string? Position);

/// <summary>
/// The published event types and how a stored event (<see cref="UserEvent"/>) becomes one. Only the
/// listed types are published, and of each payload only the named fields, so that a field added to a
/// stored payload later is never published by accident.
/// </summary>
public static class EventTypes
{
    public const string UserCreated = "user.created";
    public const string OtpEmailAdded = "otp_email.added";
    public const string OtpEmailCodeSent = "otp_email.code_sent";
    public const string OtpEmailVerified = "otp_email.verified";
    public const string OtpEmailVerificationFailed = "otp_email.verification_failed";
    public const string OtpEmailRemoved = "otp_email.removed";
    public const string BulkFinished = "bulk.finished";

    // Published type, and the payload fields its data carries, by stored type.
    private static readonly Dictionary<string, (string Type, string[] Fields)> Published = new(StringComparer.Ordinal)
    {
        [UserEventLog.UserCreated] = (UserCreated, ["username"]),
        [OtpEmailEvents.Added] = (OtpEmailAdded, ["address", "mode"]),
        [OtpEmailEvents.CodeIssued] = (OtpEmailCodeSent, ["address", "mode"]),
        [OtpEmailEvents.Verified] = (OtpEmailVerified, ["address"]),
        [OtpEmailEvents.VerificationFailed] = (OtpEmailVerificationFailed, ["address", "failedAttempts", "invalidated"]),
        [OtpEmailEvents.Removed] = (OtpEmailRemoved, ["address"]),
        [BulkEvents.Finished] = (BulkFinished, ["jobId", "state", "rows", "succeeded", "failed"]),
    };

    /// <summary>Every published type.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Published.Values.Select(p => p.Type)];

    /// <summary>The stored types behind the published ones (null: all published types).</summary>
    public static string[] StoredTypes(IEnumerable<string>? published) =>
        [.. Published.Where(p => published is null || published.Contains(p.Value.Type, StringComparer.Ordinal)).Select(p => p.Key)];

    public static bool IsPublished(string storedType) => Published.ContainsKey(storedType);

    /// <summary>The published type of a stored one; null when it is not published.</summary>
    public static string? PublishedType(string storedType) => Published.TryGetValue(storedType, out var published) ? published.Type : null;

    /// <summary>The published form of a stored event of a published type; <paramref name="position"/> is its place in the feed.</summary>
    public static FeedEvent ToFeedEvent(UserEvent stored, string? position)
    {
        var (type, fields) = Published[stored.Type];
        using var payload = JsonDocument.Parse(stored.Payload);
        var data = new JsonObject();
        foreach (var field in fields)
        {
            if (payload.RootElement.TryGetProperty(field, out var value))
            {
                data[field] = field.EndsWith("Id", StringComparison.Ordinal) ? Id(value) : JsonNode.Parse(value.GetRawText());
            }
        }

        var otpEmailId = payload.RootElement.TryGetProperty("otpEmailId", out var id) ? Id(id) : null;
        return new FeedEvent(
            DecimalId.Format(stored.Id),
            type,
            stored.OccurredAt,
            DecimalId.Format(stored.OrganizationId),
            stored.UserId is { } userId ? DecimalId.Format(userId) : null,
            otpEmailId,
            stored.ActorSubject,
            stored.Sequence,
            data,
            position);
    }

    // Ids are strings on the wire (proto3's JSON mapping of int64), whichever way a payload stored them.
    private static string? Id(JsonElement value) => value.ValueKind == JsonValueKind.Number ? DecimalId.Format(value.GetInt64()) : value.GetString();
}
