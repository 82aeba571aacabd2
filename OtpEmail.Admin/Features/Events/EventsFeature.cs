namespace OtpEmail.Admin.Features.Events;

public static class EventsFeature
{
    public static WebApplicationBuilder AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchEventsHandler>();
        return builder;
    }
}
