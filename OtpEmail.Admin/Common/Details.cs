using System.Text.Json.Serialization;

namespace OtpEmail.Admin.Common;

/// <summary>
/// What a change reports back (the contract's <c>Details</c>): the sequence and time of the user's
/// last event, and the user's organization.
/// </summary>
public sealed record Details(
    [property: JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)] long Sequence,
    DateTimeOffset ChangeDate,
    string ResourceOwner);
