using System.Globalization;
using System.Net;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.MailTexts;

namespace OtpEmail.Admin.Tests.Features.MailTexts;

public sealed class MessageTemplateTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        [MessageTemplate.OrgName] = "Acme <Sign-in> & Co",
        [MessageTemplate.Code] = "K7Q2M9XD",
        [MessageTemplate.Expiry] = "15",
    };

    [Theory]
    [InlineData("{{.OrgName}}: {{.Code}} for {{.Expiry}} min", "Acme <Sign-in> & Co: K7Q2M9XD for 15 min")]
    [InlineData("{{ .OrgName }}", "Acme <Sign-in> & Co")]
    [InlineData("no variables at all", "no variables at all")]
    [InlineData("", "")]
    public void KnownVariablesAreFilledIn(string text, string expected) =>
        Assert.Equal(expected, MessageTemplate.Parse(text, "subject").Value.Render(Values, v => v));

    [Fact]
    public void AnUnknownVariableIsRefusedNamingItAndTheField()
    {
        var refused = MessageTemplate.Parse("Hello {{.Password}}", "greeting");

        Assert.False(refused.IsSuccess);
        Assert.Equal(ErrorCode.InvalidArgument, refused.Error.Code);
        Assert.Equal("MESSAGETEXT-VARIABLE", refused.Error.Id);
        Assert.Equal("greeting", refused.Error.Field);
        Assert.Contains("{{.Password}}", refused.Error.Message);
        Assert.StartsWith("greeting ", refused.Error.Message);
    }

    [Theory]
    [InlineData("Hello {{.Code")]
    [InlineData("Hello .Code}}")]
    [InlineData("}} {{.Code}}")]
    public void AMalformedTemplateIsRefusedNamingTheField(string text)
    {
        var refused = MessageTemplate.Parse(text, "text");

        Assert.Equal("MESSAGETEXT-MALFORMED", refused.Error?.Id);
        Assert.Equal("text", refused.Error!.Field);
    }

    [Theory]
    [InlineData("{{if .Code}}x{{end}}")]
    [InlineData("{{Code}}")]
    [InlineData("{{.code}}")]
    [InlineData("{{}}")]
    public void OnlyTheVariablesThemselvesMayStandInBraces(string text) =>
        Assert.Equal("MESSAGETEXT-VARIABLE", MessageTemplate.Parse(text, "text").Error?.Id);

    [Fact]
    public void ValuesAndTextAreEscapedForTheHtmlPart()
    {
        var html = MessageTemplate.Parse("<b>{{.OrgName}}</b>", "title").Value.Render(Values, WebUtility.HtmlEncode, WebUtility.HtmlEncode);

        Assert.Equal("&lt;b&gt;Acme &lt;Sign-in&gt; &amp; Co&lt;/b&gt;", html);
    }

    [Fact]
    public void EveryShippedLanguageHasEveryFieldWrittenForItAndValidAsATemplate()
    {
        var english = DefaultTexts.Fields("en");
        foreach (var language in DefaultTexts.Shipped)
        {
            var fields = DefaultTexts.Fields(language);
            var lines = DefaultTexts.Lines(language);
            foreach (var (value, index) in fields.Values.Concat([lines.CodeLabel, lines.LinkLabel, lines.SentFor]).Select((v, i) => (v, i)))
            {
                Assert.False(string.IsNullOrWhiteSpace(value), $"{language} field {index} is empty");
                Assert.True(MessageTemplate.Parse(value, "field").IsSuccess, $"{language} field {index} is no valid template: {value}");
            }

            Assert.Contains("{{.OrgName}}", fields.Subject);
            Assert.Contains("{{.OrgName}}", lines.SentFor);
            if (language != "en")
            {
                // Translated, not fallen back to English: the resource file for the language is there.
                Assert.NotEqual(english.Text, fields.Text);
                Assert.NotEqual(english.ButtonText, fields.ButtonText);
            }

            Assert.Equal(language, CultureInfo.GetCultureInfo(language).TwoLetterISOLanguageName);
        }
    }

    [Theory]
    [InlineData("pt-BR", "pt")]
    [InlineData("de-CH", "de")]
    [InlineData("sv", "en")]
    [InlineData("ja", "ja")]
    public void AShippedTextIsFoundForATagThroughItsBaseLanguageElseEnglish(string tag, string shipped) =>
        Assert.Equal(shipped, DefaultTexts.ShippedLanguageFor(tag));

    [Theory]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("DE", "de")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    public void LanguageTagsAreKeptInTheirCanonicalCase(string given, string canonical) =>
        Assert.Equal(canonical, LanguageTag.Parse(given, "language").Value);

    [Theory]
    [InlineData("")]
    [InlineData("english")]
    [InlineData("de_DE")]
    [InlineData("d")]
    [InlineData("de-")]
    public void WhatIsNoLanguageTagIsRefused(string given) =>
        Assert.Equal("LANGUAGE-INVALID", LanguageTag.Parse(given, "language").Error?.Id);

    [Theory]
    [InlineData("pt-BR", "en", new string[0], "pt")]
    [InlineData("pt-BR", "en", new[] { "pt-BR" }, "pt-BR")]
    [InlineData("sv", "de", new string[0], "de")]
    [InlineData("sv", "sv", new[] { "sv" }, "sv")]
    [InlineData(null, "fr", new string[0], "fr")]
    [InlineData("sv", "fi", new string[0], "en")]
    public void TheMailSpeaksTheUsersLanguageWhereThereIsATextElseTheOrganizationsElseEnglish(string? preferred, string organization, string[] own, string expected) =>
        Assert.Equal(expected, VerificationMessages.Choose(preferred, organization, own.ToHashSet()));
}
