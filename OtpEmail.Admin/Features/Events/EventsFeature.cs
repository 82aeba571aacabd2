namespace OtpEmail.Admin.Features.Events;

/// <summary>Events out: the feed other systems pull, and signed webhooks pushed to their endpoints.</summary>
public static class EventsFeature
{
    public static WebApplicationBuilder AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchEventsHandler>();
        builder.Services.AddOptions<WebhookSettings>().BindConfiguration(WebhookSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Users.IUserEventFollower, WebhookFanOut>();
        builder.Services.AddSingleton<WebhookUrls>();
        builder.Services.AddSingleton<WebhookSigner>();
        builder.Services.AddSingleton<WebhookQueue>();
        builder.Services.AddSingleton<WebhookOutcomes>();
        builder.Services.AddSingleton<Webhooks>();
        builder.Services.AddSingleton<WebhookDeliveries>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }
}
