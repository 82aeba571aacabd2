namespace OtpEmail.Admin.Features.OtpEmail;

public static class OtpEmailFeature
{
    public static WebApplicationBuilder AddOtpEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OtpSettings>()
            .BindConfiguration(OtpSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<VerificationCodes>();
        builder.Services.AddSingleton<OtpEmailService>();
        return builder;
    }
}
