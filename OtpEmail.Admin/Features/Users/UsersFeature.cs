namespace OtpEmail.Admin.Features.Users;

public static class UsersFeature
{
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CreateUserHandler>();
        builder.Services.AddSingleton<GetUserHandler>();
        builder.Services.AddSingleton<SearchUsersHandler>();
        builder.Services.AddSingleton<PickUserHandler>();
        builder.Services.AddSingleton<GetUserProfileHandler>();
        builder.Services.AddSingleton<SetUserLanguageHandler>();
        builder.Services.AddSingleton<UserViews>();
        builder.Services.AddSingleton<UserEventLog>();
        builder.Services.AddSingleton<OrganizationTally>();
        return builder;
    }

    /// <summary>Demo organizations and users on the first Development start.</summary>
    public static async Task SeedDemoDataAsync(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            await DemoSeed.SeedAsync(app.Services);
        }
    }
}
