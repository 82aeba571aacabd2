namespace OtpEmail.Admin.Infrastructure.Idempotency;

public static class IdempotencyExtensions
{
    /// <summary>Idempotent retries (<c>Idempotency-Key</c>) for operations marked <see cref="IdempotentAttribute"/>.</summary>
    public static WebApplicationBuilder AddIdempotency(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdempotencySettings>()
            .BindConfiguration(IdempotencySettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IdempotencyStore>();
        return builder;
    }
}
