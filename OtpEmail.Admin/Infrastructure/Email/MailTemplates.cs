using System.Text.Json.Serialization;

namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>
/// A kind of mail, rendered at delivery from the values stored (protected) with each mail of its kind:
/// an outbox row holds only what varies, such as a code and its link, not the whole text twice.
/// </summary>
public interface IMailTemplate
{
    /// <summary>Stored with every mail of this kind: not to be renamed while such mail may be pending.</summary>
    string Name { get; }

    MailBody Render(IReadOnlyDictionary<string, string> values);
}

/// <summary>A mail to render at delivery: the name of its template and the values it is rendered with.</summary>
public sealed record MailContent(string Template, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// A mail rendered: its plain-text and HTML parts, and, where the template decides them, its subject
/// (else the outbox row's), language (<c>Content-Language</c>) and sender's display name.
/// </summary>
public sealed record MailBody(string Text, string Html)
{
    public string? Subject { get; init; }

    public string? Language { get; init; }

    public string? SenderName { get; init; }
}

/// <summary>What the protected body of an outbox row holds: a template and its values.</summary>
internal sealed record StoredMailBody(string Template, IReadOnlyDictionary<string, string> Values);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredMailBody))]
internal sealed partial class OutboxJson : JsonSerializerContext;
