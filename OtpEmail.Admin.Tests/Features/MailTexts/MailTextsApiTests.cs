using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.MailTexts;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.MailTexts;

/// <summary>The verification mail in an organization's words and the user's language, through the API as clients use it.</summary>
public sealed partial class MailTextsApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Path = "/management/v1/text/message/verifyemailotp/";

    private static readonly object GermanText = new
    {
        title = "Bitte bestätigen",
        preHeader = "Nur ein Klick",
        subject = "Acme-Anmeldung: Adresse bestätigen für {{.FirstName}}",
        greeting = "Guten Tag {{.FirstName}} {{.LastName}},",
        text = "bitte bestätigen Sie Ihre Adresse für {{.OrgName}} innerhalb von {{.Expiry}} Minuten.",
        buttonText = "Jetzt bestätigen",
        footerText = "Ihr Acme-Team",
    };

    [Fact]
    public async Task AGermanUserOfAcmeWithACustomGermanTextGetsItFromAcmesSenderInGerman()
    {
        Assert.Equal(200, (await SendAsync(HttpMethod.Put, Path + "de", GermanText, ApiClient.AcmeId)).Status);
        await SetSenderNameAsync(Callers.Acme, "Acme Anmeldedienst");
        var address = ApiClient.NewAddress();
        var userId = await CreateUserAsync("de", address);

        Assert.Equal(200, (await fixture.Api.AddOtpEmailAsync(userId, Json.SendCode(address))).Status);

        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Equal("Acme-Anmeldung: Adresse bestätigen für Grete", mail.Subject);
        Assert.Equal("Acme Anmeldedienst", mail.From.Mailboxes.Single().Name);
        Assert.Equal("no-reply@otpemail.test", mail.From.Mailboxes.Single().Address);
        Assert.Equal("de", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.StartsWith("Guten Tag Grete Müller,", mail.TextBody);
        Assert.Contains("für Acme innerhalb von 10 Minuten", mail.TextBody); // Otp:CodeLifetime
        var link = LinkIn(mail);
        Assert.Contains($"Jetzt bestätigen</a>", mail.HtmlBody);
        Assert.Contains($"<a href=\"{System.Net.WebUtility.HtmlEncode(link)}\" style=", mail.HtmlBody); // the button carries the link
        Assert.EndsWith("&lang=de", link);
        Assert.Matches("Ihr Code: [A-Z0-9]{8}", mail.TextBody);                     // the code, whatever the text says
        Assert.Contains("Gesendet im Auftrag von Acme.", mail.TextBody);            // and the organization's name
        Assert.Contains("<html lang=\"de\">", mail.HtmlBody);
    }

    [Fact]
    public async Task AFrenchUserWithoutACustomTextGetsTheShippedFrenchMail()
    {
        var address = ApiClient.NewAddress();
        var userId = await CreateUserAsync("fr", address, ApiClient.GlobexId);

        Assert.Equal(200, (await fixture.Api.AddOtpEmailAsync(userId, Json.SendCode(address))).Status);

        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Equal("Globex : vérifiez votre adresse e-mail", mail.Subject);
        Assert.Equal("fr", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.StartsWith("Bonjour Grete Müller,", mail.TextBody);
        Assert.Contains("Vérifier l’adresse e-mail</a>", mail.HtmlBody);
        Assert.Equal("Globex Sign-in", mail.From.Mailboxes.Single().Name); // the demo seed's sender name
    }

    [Fact]
    public async Task ABrazilianUserGetsPortugueseAndAUserWithoutATextForTheirLanguageGetsTheOrganizations()
    {
        var brazilian = ApiClient.NewAddress();
        var swede = ApiClient.NewAddress();
        Assert.Equal(200, (await fixture.Api.AddOtpEmailAsync(await CreateUserAsync("pt-BR", brazilian, ApiClient.GlobexId), Json.SendCode(brazilian))).Status);
        Assert.Equal(200, (await fixture.Api.AddOtpEmailAsync(await CreateUserAsync("sv", swede, ApiClient.GlobexId), Json.SendCode(swede))).Status);

        Assert.Equal("pt", (await fixture.Smtp.WaitForMailToAsync(brazilian)).Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Equal("en", (await fixture.Smtp.WaitForMailToAsync(swede)).Body!.Headers[HeaderId.ContentLanguage]); // Globex's default
    }

    [Fact]
    public async Task AnUnknownVariableIsRefusedWhenSavedNamingItAndTheField()
    {
        var refused = await SendAsync(HttpMethod.Put, Path + "it", new { subject = "Ciao", greeting = "Ciao {{.Nickname}}" }, ApiClient.AcmeId);

        Assert.Equal(400, refused.Status);
        Assert.Equal(ErrorCode.InvalidArgument, refused.ErrorCode());
        Assert.Contains("{{.Nickname}}", refused.Json["message"]!.GetValue<string>());
        Assert.StartsWith("greeting ", refused.Json["message"]!.GetValue<string>());
        var stored = await SendAsync(HttpMethod.Get, Path + "it", null, ApiClient.AcmeId);
        Assert.True(stored.Json["customText"]!["isDefault"]!.GetValue<bool>()); // nothing was saved
    }

    [Fact]
    public async Task AResetBringsTheDefaultBackAndEachChangeIsInTheAuditTrail()
    {
        Assert.Equal(200, (await SendAsync(HttpMethod.Put, Path + "nl", new { subject = "Eigen onderwerp" }, ApiClient.GlobexId)).Status);
        var own = await SendAsync(HttpMethod.Get, Path + "nl", null, ApiClient.GlobexId);
        Assert.Equal("Eigen onderwerp", own.Json["customText"]!["subject"]!.GetValue<string>());
        Assert.False(own.Json["customText"]!["isDefault"]!.GetValue<bool>());
        Assert.Equal(ApiClient.GlobexId, own.Json["customText"]!["details"]!["resourceOwner"]!.GetValue<string>());

        var reset = await SendAsync(HttpMethod.Delete, Path + "nl", null, ApiClient.GlobexId);

        Assert.Equal(200, reset.Status);
        var back = await SendAsync(HttpMethod.Get, Path + "nl", null, ApiClient.GlobexId);
        Assert.True(back.Json["customText"]!["isDefault"]!.GetValue<bool>());
        Assert.Equal("{{.OrgName}}: bevestig je e-mailadres", back.Json["customText"]!["subject"]!.GetValue<string>());
        Assert.Equal(back.Body, (await SendAsync(HttpMethod.Get, "/management/v1/text/default/message/verifyemailotp/nl", null, null)).Body);
        await using var db = fixture.App.CreateDbContext();
        var changes = await db.UserEvents.Where(e => e.OrganizationId == Callers.Globex && e.UserId == null && e.Payload.Contains("\"nl\""))
            .OrderBy(e => e.Sequence).Select(e => new { e.Type, e.ActorClient }).ToListAsync();
        Assert.Equal([MessageTexts.TextSet, MessageTexts.TextReset], changes.Select(c => c.Type));
        Assert.All(changes, c => Assert.Equal(ApiClient.Admin, c.ActorClient));
    }

    [Fact]
    public async Task TheOrganizationHeaderIsRequiredOfACallerWhoSeesSeveralAndOnlyAdminsChangeTexts()
    {
        var withoutHeader = await SendAsync(HttpMethod.Get, Path + "en", null, null);
        Assert.Equal(400, withoutHeader.Status);
        Assert.Contains(MessageTexts.OrganizationHeader, withoutHeader.Json["message"]!.GetValue<string>());

        // demo-acme sees Acme only: no header needed, and another organization is refused.
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, Path + "en", null, null, ApiClient.Acme)).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Get, Path + "en", null, ApiClient.GlobexId, ApiClient.Acme)).Status);
        Assert.Equal(403, (await SendAsync(HttpMethod.Put, Path + "en", new { subject = "x" }, ApiClient.AcmeId, ApiClient.Acme)).Status); // support
        Assert.Equal(403, (await SendAsync(HttpMethod.Delete, Path + "en", null, ApiClient.AcmeId, ApiClient.Viewer)).Status);
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, Path + "en", null, ApiClient.AcmeId, ApiClient.Viewer)).Status);
        Assert.Equal(404, (await SendAsync(HttpMethod.Get, Path + "en", null, "399999999999999999")).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Get, Path + "not_a_tag", null, ApiClient.AcmeId)).Status);
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, Path + "en", null, ApiClient.AcmeId, null)).Status);
    }

    [Fact]
    public async Task EachRowOfABulkJobMailsItsUserInTheUsersLanguage()
    {
        var (polish, japanese) = (ApiClient.NewAddress(), ApiClient.NewAddress());
        var csv = $"user,address,mode\n{await CreateUserAsync("pl", polish, ApiClient.GlobexId)},{polish},send_code\n"
            + $"{await CreateUserAsync("ja", japanese, ApiClient.GlobexId)},{japanese},send_code\n";

        var started = await fixture.Api.SendAsync(HttpMethod.Post, "/v3alpha/users/otp_email/_bulk", csv, contentType: "text/csv");

        Assert.Equal(202, started.Status);
        Assert.Equal("Globex: potwierdź swój adres e-mail", (await fixture.Smtp.WaitForMailToAsync(polish)).Subject);
        Assert.Equal("Globex：メールアドレスの確認", (await fixture.Smtp.WaitForMailToAsync(japanese)).Subject);
    }

    [Fact]
    public async Task TheVerificationPageOpenedFromTheMailSpeaksTheMailsLanguage()
    {
        var address = ApiClient.NewAddress();
        Assert.Equal(200, (await fixture.Api.AddOtpEmailAsync(await CreateUserAsync("ja", address), Json.SendCode(address))).Status);
        var link = LinkIn(await fixture.Smtp.WaitForMailToAsync(address));

        using var page = await fixture.Api.Http.GetAsync(link);
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());

        Assert.Contains("lang=\"ja\"", html);
        Assert.Contains("<h1", html);
        Assert.Contains("メールアドレスの確認", html);
        Assert.Contains("メールアドレスを確認</button>", Regex.Replace(html, @"<span[^>]*>|</span>", ""));
        Assert.DoesNotContain("Verify your email address", html);
    }

    [Fact]
    public async Task ThePreviewRendersWhatTheTestMailCarries()
    {
        var organizations = await fixture.App.Services.GetRequiredService<OrganizationMail>().ListAsync(Callers.Admin, CancellationToken.None);
        var globex = organizations.Value.Single(o => o.OrganizationId == ApiClient.GlobexId);
        var fields = new MessageFields("Titel", "", "Test für {{.OrgName}}", "Hallo {{.DisplayName}},", "Text mit <b>Markup</b> & {{.Expiry}}", "", "Fuß");
        var address = ApiClient.NewAddress();

        var preview = MailPreview.Render(globex, "de", fields).Value;
        var sent = await fixture.App.Services.GetRequiredService<MailPreview>().SendTestAsync(Callers.Admin, globex, "de", fields, address, CancellationToken.None);

        Assert.True(sent.IsSuccess, sent.Error?.FullMessage);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Equal(preview.Subject, mail.Subject);
        Assert.Equal(preview.Text.ReplaceLineEndings(), mail.TextBody!.ReplaceLineEndings());
        Assert.Equal(preview.Html.ReplaceLineEndings(), mail.HtmlBody!.ReplaceLineEndings());
        Assert.Equal("de", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Contains("Text mit &lt;b&gt;Markup&lt;/b&gt; &amp; 60", preview.Html);
        Assert.Contains("E-Mail-Adresse bestätigen</a>", preview.Html); // an empty field takes the language's default
        Assert.Equal("MESSAGETEXT-VARIABLE", MailPreview.Render(globex, "de", fields with { Title = "{{.Secret}}" }).Error?.Id);
    }

    [Fact]
    public async Task TheUserReadReturnsThePreferredLanguageGivenAtCreate()
    {
        var userId = await CreateUserAsync("pt-br", ApiClient.NewAddress());

        var read = await fixture.Api.GetAsync($"/v3alpha/users/{userId}");

        Assert.Equal("pt-BR", read.Json["user"]!["preferredLanguage"]!.GetValue<string>());
        var refused = await fixture.Api.PostAsync("/v3alpha/users", Json.Of(new
        {
            organization = new { orgId = ApiClient.AcmeId },
            user = new { username = "u" + Guid.NewGuid().ToString("N")[..12], givenName = "A", familyName = "B", preferredLanguage = "German", contact = new { email = new { address = ApiClient.NewAddress() } } },
        }));
        Assert.Equal(400, refused.Status);
        Assert.Contains("user.preferredLanguage", refused.Body);
    }

    private async Task<string> CreateUserAsync(string language, string address, string orgId = ApiClient.AcmeId)
    {
        var reply = await fixture.Api.PostAsync("/v3alpha/users", Json.Of(new
        {
            organization = new { orgId },
            user = new { username = "u" + Guid.NewGuid().ToString("N")[..12], givenName = "Grete", familyName = "Müller", preferredLanguage = language, contact = new { email = new { address } } },
        }));
        Assert.Equal(200, reply.Status);
        return reply.Json["userId"]!.GetValue<string>();
    }

    private async Task SetSenderNameAsync(long organization, string name)
    {
        var settings = fixture.App.Services.GetRequiredService<OrganizationMail>();
        var set = await settings.SetAsync(Callers.Admin, DecimalId.Format(organization), name, "en", CancellationToken.None);
        Assert.True(set.IsSuccess, set.Error?.FullMessage);
    }

    private async Task<Reply> SendAsync(HttpMethod method, string path, object? body, string? organization, string? as_ = ApiClient.Admin)
    {
        using var request = new HttpRequestMessage(method, path);
        if (as_ is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fixture.Api.TokenAsync(as_));
        }

        if (organization is not null)
        {
            request.Headers.Add(MessageTexts.OrganizationHeader, organization);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Api.Http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    private static string LinkIn(MimeMessage mail) => DefaultLink().Match(mail.TextBody!).Value;

    [GeneratedRegex(@"http://localhost:\d+/otp-email/verify\?\S+")]
    private static partial Regex DefaultLink();
}
