using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace OtpEmail.Admin.Infrastructure;

/// <summary>
/// The development settings live once, at the repository root. The build copies them next to the app
/// (an MSBuild <c>Content</c> link, never published), and this reads that copy where the host would
/// look in the content root: no symbolic link, so a checkout that has none works the same.
/// </summary>
public static class DevelopmentSettings
{
    public static WebApplicationBuilder UseRootDevelopmentSettings(this WebApplicationBuilder builder)
    {
        var environment = builder.Environment;
        var fileName = $"appsettings.{environment.EnvironmentName}.json";
        var copy = Path.Combine(AppContext.BaseDirectory, fileName);
        if (!environment.IsDevelopment() || File.Exists(Path.Combine(environment.ContentRootPath, fileName)) || !File.Exists(copy))
        {
            return builder;
        }

        var sources = builder.Configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: var path } && path == fileName)
            {
                sources[i] = new JsonConfigurationSource
                {
                    Path = fileName,
                    Optional = true,
                    ReloadOnChange = true,
                    FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
                };
            }
        }

        return builder;
    }
}
