using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The verification oneof, as a table, and the requests forms build from a mode.</summary>
public sealed class VerificationModeTests
{
    private static readonly SendEmailVerificationCode SendCode = new();
    private static readonly ReturnEmailVerificationCode ReturnCode = new();

    public static TheoryData<SendEmailVerificationCode?, ReturnEmailVerificationCode?, bool?, VerificationMode> Valid => new()
    {
        { null, null, null, VerificationMode.SendCode },
        { SendCode, null, null, VerificationMode.SendCode },
        { null, ReturnCode, null, VerificationMode.ReturnCode },
        { null, null, true, VerificationMode.AlreadyVerified },
    };

    public static TheoryData<SendEmailVerificationCode?, ReturnEmailVerificationCode?, bool?, string> Invalid => new()
    {
        { SendCode, ReturnCode, null, "OTPEMAIL-VERIFICATION-ONEOF" },
        { null, ReturnCode, true, "OTPEMAIL-VERIFICATION-ONEOF" },
        { SendCode, null, true, "OTPEMAIL-VERIFICATION-ONEOF" },
        { SendCode, ReturnCode, true, "OTPEMAIL-VERIFICATION-ONEOF" },
        { null, null, false, "OTPEMAIL-ISVERIFIED-FALSE" },
        { new SendEmailVerificationCode { UrlTemplate = "" }, null, null, "URLTEMPLATE-LENGTH" },
        { new SendEmailVerificationCode { UrlTemplate = "https://x.example/{{.Email}}" }, null, null, "URLTEMPLATE-PLACEHOLDER" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void AtMostOneMemberChoosesTheMode(SendEmailVerificationCode? sendCode, ReturnEmailVerificationCode? returnCode, bool? isVerified, VerificationMode mode) =>
        Assert.Equal(mode, Verification.Choose(sendCode, returnCode, isVerified).Value.Mode);

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AnythingElseIsInvalidArgument(SendEmailVerificationCode? sendCode, ReturnEmailVerificationCode? returnCode, bool? isVerified, string id)
    {
        var error = Verification.Choose(sendCode, returnCode, isVerified).Error;

        Assert.Equal(ErrorCode.InvalidArgument, error?.Code);
        Assert.Equal(id, error?.Id);
    }

    [Fact]
    public void ATemplateIsKeptForTheLink()
    {
        var chosen = Verification.Choose(new SendEmailVerificationCode { UrlTemplate = "https://x.example/{{.UserID}}/{{.Code}}?org={{.OrgID}}" }, null, null).Value;

        Assert.Equal(VerificationMode.SendCode, chosen.Mode);
        Assert.Equal("https://x.example/U1/C0DE?org=O1", chosen.Template!.Render("U1", "C0DE", "O1").Value.AbsoluteUri);
    }

    [Theory]
    [InlineData(VerificationMode.SendCode, "send_code")]
    [InlineData(VerificationMode.ReturnCode, "return_code")]
    [InlineData(VerificationMode.AlreadyVerified, "is_verified")]
    public void EventsNameTheModeAsTheContractDoes(VerificationMode mode, string name) =>
        Assert.Equal(name, new Verification(mode, null).Name);

    [Theory]
    [InlineData(VerificationMode.SendCode)]
    [InlineData(VerificationMode.ReturnCode)]
    [InlineData(VerificationMode.AlreadyVerified)]
    public void AFormsRequestChoosesTheModeItWasBuiltFrom(VerificationMode mode)
    {
        var email = SetEmail.For(" mini@mouse.com ", mode, " https://x.example/{{.Code}} ");

        Assert.Equal("mini@mouse.com", email.Address);
        Assert.Equal(mode, Verification.Choose(email.SendCode, email.ReturnCode, email.IsVerified).Value.Mode);
    }

    [Fact]
    public void ABlankTemplateMeansTheDefaultLink() =>
        Assert.Null(SetEmail.For("a@example.com", VerificationMode.SendCode, "  ").SendCode!.UrlTemplate);

    [Fact]
    public void AResendRequestCarriesOnlyItsMode()
    {
        var byMail = ResendOtpEmailCodeRequest.For(VerificationMode.SendCode, "https://x.example/{{.Code}}");
        var returned = ResendOtpEmailCodeRequest.For(VerificationMode.ReturnCode, "ignored");

        Assert.Equal("https://x.example/{{.Code}}", byMail.SendCode!.UrlTemplate);
        Assert.Null(byMail.ReturnCode);
        Assert.Null(returned.SendCode);
        Assert.NotNull(returned.ReturnCode);
    }
}
