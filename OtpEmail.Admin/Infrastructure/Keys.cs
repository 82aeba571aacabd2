using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OtpEmail.Admin.Infrastructure;

/// <summary>
/// Secrets the app keeps for itself, outside the database, in <c>App:KeysDirectory</c>: the Data
/// Protection keys (cookies, antiforgery, queued mail) and named secret keys that features ask for
/// (<see cref="SecretKeys"/>).
/// </summary>
public static class Keys
{
    public static WebApplicationBuilder AddKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppSettings>()
            .BindConfiguration(AppSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var directory = Path.GetFullPath(
            builder.Configuration[$"{AppSettings.Section}:{nameof(AppSettings.KeysDirectory)}"] ?? new AppSettings().KeysDirectory,
            builder.Environment.ContentRootPath);
        Directory.CreateDirectory(directory);

        builder.Services.AddDataProtection()
            .SetApplicationName("OtpEmail.Admin")
            .PersistKeysToFileSystem(new DirectoryInfo(directory));
        builder.Services.AddSingleton(new SecretKeys(directory));
        builder.Services.AddSingleton(_ => RandomNumberGenerator.Create());
        return builder;
    }
}

/// <summary>Random keys made once and kept in the keys folder, one file a key.</summary>
public sealed class SecretKeys(string directory)
{
    /// <summary>The key called <paramref name="name"/>, made from <see cref="RandomNumberGenerator"/> on first use.</summary>
    public byte[] GetOrCreate(string name, int length)
    {
        var path = Path.Combine(directory, name + ".key");
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(length);
            var temporary = path + ".tmp";
            File.WriteAllBytes(temporary, fresh);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, path, overwrite: false);
        }

        return File.ReadAllBytes(path);
    }
}
