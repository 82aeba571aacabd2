using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.MailTexts;

public static class MailTextsFeature
{
    public static WebApplicationBuilder AddMailTexts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IMailTemplate, VerificationMail>();
        builder.Services.AddSingleton<VerificationMessages>();
        builder.Services.AddSingleton<MessageTexts>();
        builder.Services.AddSingleton<OrganizationMail>();
        builder.Services.AddSingleton<MailPreview>();
        return builder;
    }
}
