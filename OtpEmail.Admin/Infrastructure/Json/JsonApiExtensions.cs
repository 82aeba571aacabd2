using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Json;

public static class JsonApiExtensions
{
    /// <summary>Controllers speaking the v3alpha JSON mapping, with the contract's error bodies.</summary>
    public static WebApplicationBuilder AddJsonApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddControllers().AddJsonOptions(options => ApiJson.Configure(options.JsonSerializerOptions));
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        builder.Services.AddApiErrors();
        return builder;
    }
}
