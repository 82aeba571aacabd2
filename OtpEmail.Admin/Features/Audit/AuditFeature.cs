namespace OtpEmail.Admin.Features.Audit;

public static class AuditFeature
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditService>();
        return builder;
    }
}

