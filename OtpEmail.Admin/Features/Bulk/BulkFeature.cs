using OtpEmail.Admin.Features.Audit;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>Bulk enrolment: many OTP Email adds from one CSV file, through the add's own rules.</summary>
public static class BulkFeature
{
    public static WebApplicationBuilder AddBulk(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BulkSettings>().BindConfiguration(BulkSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<BulkCodes>();
        builder.Services.AddSingleton<BulkEvents>();
        builder.Services.AddSingleton<BulkRunner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BulkRunner>());
        builder.Services.AddSingleton<BulkJobs>();
        builder.Services.AddSingleton<BulkPreviewHandler>();
        return builder;
    }
}
