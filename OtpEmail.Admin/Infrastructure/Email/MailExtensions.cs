using Microsoft.Extensions.Options;

namespace OtpEmail.Admin.Infrastructure.Email;

public static class MailExtensions
{
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailSettings>()
            .BindConfiguration(MailSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MailSettings>, MailModeValidation>();
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddSingleton<MailMetrics>();
        builder.Services.AddSingleton<OutboxRecords>();
        builder.Services.AddSingleton<IMailTransport>(services =>
        {
            var settings = services.GetRequiredService<IOptions<MailSettings>>().Value;
            var contentRoot = services.GetRequiredService<IWebHostEnvironment>().ContentRootPath;
            return settings.Mode == MailMode.Smtp
                ? ActivatorUtilities.CreateInstance<SmtpMailTransport>(services)
                : new PickupMailTransport(Path.GetFullPath(settings.PickupDirectory, contentRoot));
        });
        builder.Services.AddHostedService<MailDispatcher>();
        return builder;
    }
}
