using Microsoft.Extensions.Options;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Infrastructure.Idempotency;
using OtpEmail.Admin.Infrastructure.OpenApi;

namespace OtpEmail.Admin.Features.OtpEmail;

public static class OtpEmailFeature
{
    public static WebApplicationBuilder AddOtpEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OtpSettings>()
            .BindConfiguration(OtpSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OtpSettings>, OtpSettingsOutsideDevelopment>();
        // A stored answer's code is replayed while the code is valid, and no longer.
        builder.Services.AddOptions<IdempotencySettings>().Configure<IOptions<OtpSettings>>((idempotency, otp) => idempotency.CodeLifetime = otp.Value.CodeLifetime);
        if (builder.Configuration.GetDatabaseProvider() == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(builder.Configuration["Otp:CodeHashKey"]))
        {
            throw new InvalidOperationException(
                "Setting 'Otp:CodeHashKey' is required when 'Database:Provider' is Postgres: every instance must hash codes with the same key. Make one with: openssl rand -base64 32");
        }

        if (builder.Configuration["Otp:LinkFailuresPerUserPerHour"] is not null)
        {
            throw new InvalidOperationException(
                "Setting 'Otp:LinkFailuresPerUserPerHour' is now 'Otp:LinkFailuresPerNetworkPerHour': wrong codes on the verification page are counted per user and client network.");
        }

        builder.Services.AddSingleton(services => CodeHashKey.From(
            services.GetRequiredService<IOptions<OtpSettings>>().Value, services.GetRequiredService<SecretKeys>()));
        builder.Services.AddSingleton<VerificationCodes>();
        builder.Services.AddSingleton<CodeIssuer>();
        builder.Services.AddSingleton<CodeAttempts>();
        builder.Services.AddSingleton<EnrolmentCounts>();
        builder.Services.AddSingleton<OtpEmailMetrics>();

        builder.Services.AddSingleton<AddOtpEmailHandler>();
        builder.Services.AddSingleton<VerifyOtpEmailHandler>();
        builder.Services.AddSingleton<ResendOtpEmailCodeHandler>();
        builder.Services.AddSingleton<RemoveOtpEmailHandler>();
        builder.Services.AddSingleton<VerifyLinkHandler>();
        builder.Services.AddSingleton<ListOtpEmailsHandler>();
        builder.Services.AddSingleton<GetOtpEmailDeliveryHandler>();
        builder.Services.AddSingleton<StaleEnrolments>();
        builder.Services.AddSingleton<IMailOutcomeRecorder, MailOutcomeEvents>();

        // What the Users feature's user read shows of OTP emails.
        builder.Services.AddSingleton<IUserAuthenticators, UserOtpEmails>();
        builder.Services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>(ApiDocument.Name, OtpEmailOpenApi.Describe);
        return builder;
    }
}
