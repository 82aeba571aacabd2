using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using OtpEmail.Admin.Features.OtpEmail;

namespace OtpEmail.Admin.Infrastructure;

/// <summary>
/// Secrets the app keeps for itself, outside the database: Data Protection keys (cookies,
/// antiforgery, queued mail) and the key of the verification-code hash. Both live in
/// <c>App:KeysDirectory</c>; the hash key may instead come from <c>Otp:CodeHashKey</c> (base64).
/// </summary>
public static class Keys
{
    private const string CodeHashKeyFile = "otp-code-hash.key";

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
        builder.Services.AddSingleton(new CodeHashKey(LoadCodeHashKey(builder.Configuration["Otp:CodeHashKey"], directory)));
        builder.Services.AddSingleton(_ => RandomNumberGenerator.Create());
        return builder;
    }

    private static byte[] LoadCodeHashKey(string? configured, string directory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try
            {
                var key = Convert.FromBase64String(configured);
                return key.Length >= 32 ? key : throw new InvalidOperationException("Setting 'Otp:CodeHashKey' must decode to at least 32 bytes.");
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException("Setting 'Otp:CodeHashKey' is not valid base64.", e);
            }
        }

        var path = Path.Combine(directory, CodeHashKeyFile);
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
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
