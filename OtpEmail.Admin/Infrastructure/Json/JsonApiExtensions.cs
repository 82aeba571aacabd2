using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Validation;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Json;

public static class JsonApiExtensions
{
    /// <summary>Controllers speaking the v3alpha JSON mapping, with the contract's error bodies.</summary>
    public static WebApplicationBuilder AddJsonApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddControllers(options =>
        {
            // Route values, query strings and JSON bodies: the JSON door reads no form, and looked for one on every request.
            options.ValueProviderFactories.RemoveType<FormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<FormFileValueProviderFactory>();

            // A request body's rules are the application service's (its members are all nullable, their presence and
            // validity checked by the handlers), so MVC does not walk each body for validation attributes it has none of.
            options.ModelMetadataDetailsProviders.Add(new SuppressChildValidationMetadataProvider(typeof(object)));
        }).AddJsonOptions(options => ApiJson.Configure(options.JsonSerializerOptions));
        builder.Services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        builder.Services.AddApiErrors();
        return builder;
    }
}
