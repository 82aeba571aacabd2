using Bunit;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

public sealed class AddOtpEmailFormTests : MudTestContext
{
    private static readonly AddOtpEmailResponse Added = new(new Details(2, DateTimeOffset.UtcNow, "300000000000000001"), "100000000000000009", null);

    private readonly List<AddOtpEmailRequest> _requests = [];

    [Fact]
    public void SendCodeIsTheDefaultAndSendsTheTemplate()
    {
        var form = RenderForm(_ => Added);

        form.Find("input[type=email]").Change("mini@mouse.com");
        Template(form).Change("https://example.com/{{.Code}}");
        form.Find("form").Submit();

        var email = Assert.Single(_requests).Email!;
        Assert.Equal("mini@mouse.com", email.Address);
        Assert.Equal("https://example.com/{{.Code}}", email.SendCode!.UrlTemplate);
        Assert.Null(email.ReturnCode);
        Assert.Null(email.IsVerified);
    }

    [Fact]
    public void AnEmptyTemplateMeansTheDefaultLink()
    {
        var form = RenderForm(_ => Added);

        form.Find("input[type=email]").Change("mini@mouse.com");
        form.Find("form").Submit();

        Assert.Null(Assert.Single(_requests).Email!.SendCode!.UrlTemplate);
    }

    [Fact]
    public void ReturnCodeShowsTheCodeOnceWithItsNote()
    {
        var form = RenderForm(_ => Added with { VerificationCode = "ABCD2345" });

        form.Find("input[type=email]").Change("mini@mouse.com");
        Choose(form, "Return code");
        form.Find("form").Submit();

        Assert.NotNull(Assert.Single(_requests).Email!.ReturnCode);
        form.WaitForAssertion(() => Assert.Equal("ABCD2345", form.Find("[data-testid=verification-code]").GetAttribute("value")));
        Assert.Contains("Verification code", form.Markup);
        Assert.Contains("it will not be shown again", form.Markup);

        form.FindAll("button").Single(b => b.TextContent.Trim() == "Done").Click();
        Assert.DoesNotContain("ABCD2345", form.Markup);
    }

    [Fact]
    public void AlreadyVerifiedSendsIsVerifiedTrue()
    {
        var form = RenderForm(_ => Added);

        form.Find("input[type=email]").Change("mini@mouse.com");
        Choose(form, "Already verified");
        form.Find("form").Submit();

        Assert.True(Assert.Single(_requests).Email!.IsVerified);
    }

    [Fact]
    public void TheTemplateFieldIsShownOnlyForSendCode()
    {
        var form = RenderForm(_ => Added);
        Assert.Contains("URL template", form.Markup);
        Assert.Contains("{{.UserID}}", form.Markup); // the placeholders are explained

        Choose(form, "Return code");
        Assert.DoesNotContain("URL template", form.Markup);

        Choose(form, "Already verified");
        Assert.DoesNotContain("URL template", form.Markup);

        Choose(form, "Send code by email");
        Assert.Contains("URL template", form.Markup);
    }

    [Theory]
    [InlineData(OtpEmailErrors.AddressField, "address")]
    [InlineData(UrlTemplate.Field, "template")]
    [InlineData(null, "form")]
    [InlineData("code", "form")]
    public void ErrorsAppearNextToTheFieldTheyNameAndWhatWasTypedStays(string? field, string where)
    {
        var form = RenderForm(_ => new AppError(ErrorCode.InvalidArgument, "SOME-RULE", "The service says no") { Field = field });

        form.Find("input[type=email]").Change("mini@mouse.com");
        Template(form).Change("http://example.com/{{.Code}}");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Contains("The service says no", form.Markup));
        var shownAt = form.FindAll(".mud-input-control")
            .Where(control => control.TextContent.Contains("The service says no"))
            .Select(control => control.TextContent.Contains("Email address") ? "address" : "template")
            .SingleOrDefault() ?? (form.Find("[role=alert]").TextContent.Contains("The service says no") ? "form" : "nowhere");
        Assert.Equal(where, shownAt);
        Assert.Equal("mini@mouse.com", form.Find("input[type=email]").GetAttribute("value"));
        Assert.Equal("http://example.com/{{.Code}}", Template(form).GetAttribute("value"));
    }

    [Fact]
    public void TheFormSaysARefusedAddressInAPersonsWordsNotTheApisFieldPath()
    {
        var refusal = EmailAddress.Check("not-an-address")!;
        var form = RenderForm(_ => refusal);

        form.Find("input[type=email]").Change("not-an-address");
        form.Find("form").Submit();

        form.WaitForAssertion(() => Assert.Contains("Enter an address like name@example.com.", form.Markup));
        Assert.DoesNotContain("email.address", form.Markup);
    }

    [Fact]
    public void TheButtonIsDisabledWhileTheAddIsUnderWay()
    {
        var pending = new TaskCompletionSource<Result<AddOtpEmailResponse>>();
        var form = Context.Render<AddOtpEmailForm>(parameters => parameters.Add(p => p.Add, request =>
        {
            _requests.Add(request);
            return pending.Task;
        }));
        form.Find("input[type=email]").Change("mini@mouse.com");

        form.Find("form").Submit();

        Assert.True(AddButton(form).HasAttribute("disabled"));
        form.Find("form").Submit(); // a second press while busy does nothing
        Assert.Single(_requests);

        pending.SetResult(Added);
        form.WaitForAssertion(() => Assert.False(AddButton(form).HasAttribute("disabled")));
    }

    private IRenderedComponent<AddOtpEmailForm> RenderForm(Func<AddOtpEmailRequest, Result<AddOtpEmailResponse>> answer) =>
        Context.Render<AddOtpEmailForm>(parameters => parameters.Add(p => p.Add, request =>
        {
            _requests.Add(request);
            return Task.FromResult(answer(request));
        }));

    private static AngleSharp.Dom.IElement Template(IRenderedComponent<AddOtpEmailForm> form) =>
        form.FindAll(".mud-input-control").Single(c => c.TextContent.Contains("URL template")).QuerySelector("input")!;

    private static AngleSharp.Dom.IElement AddButton(IRenderedComponent<AddOtpEmailForm> form) =>
        form.FindAll("button").Single(b => b.TextContent.Contains("Add OTP email"));

    private static void Choose(IRenderedComponent<AddOtpEmailForm> form, string label) =>
        form.FindAll("label").Single(l => l.TextContent.Trim() == label).QuerySelector("input[type=radio]")!.Click();
}
