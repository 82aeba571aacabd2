using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure;

/// <summary>
/// Secrets the app keeps for itself: the Data Protection keys (cookies, sessions, antiforgery, queued
/// mail), in <c>App:KeysDirectory</c> on SQLite and in the database on PostgreSQL (where instances
/// share them), encrypted at rest with <c>App:KeysCertificate</c> (required on PostgreSQL outside
/// Development); and named secret keys that features ask for (<see cref="SecretKeys"/>). The folder is
/// made 0700 and the files in it 0600 at every start, whoever made them.
/// </summary>
public static class Keys
{
    public static WebApplicationBuilder AddKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppSettings>()
            .BindConfiguration(AppSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AppSettings>, AppSettingsOutsideDevelopment>();

        var settings = builder.Configuration.GetSection(AppSettings.Section).Get<AppSettings>() ?? new AppSettings();
        var directory = Path.GetFullPath(settings.KeysDirectory, builder.Environment.ContentRootPath);
        MakeOwnerOnly(directory);

        var provider = builder.Configuration.GetDatabaseProvider();
        if (provider == DatabaseProvider.Postgres && !builder.Environment.IsDevelopment() && string.IsNullOrWhiteSpace(settings.KeysCertificate))
        {
            throw new InvalidOperationException(
                "Setting 'App:KeysCertificate' is required when 'Database:Provider' is Postgres outside Development: the Data Protection keys " +
                "(cookies, staff sessions, queued mail) are kept in the database and must be encrypted there. Make a PKCS#12 file with its " +
                "private key: openssl req -x509 -newkey rsa:3072 -nodes -keyout keys.key -out keys.crt -days 3650 -subj /CN=otpemail-keys " +
                "&& openssl pkcs12 -export -inkey keys.key -in keys.crt -out keys.pfx; set 'App:KeysCertificate' to keys.pfx and " +
                "'App:KeysCertificatePassword' to the export password, give every instance the same file, and keep a copy: without it the keys cannot be read.");
        }

        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("OtpEmail.Admin");
        if (provider == DatabaseProvider.Postgres)
        {
            // Instances sharing the database share the key ring: a cookie or a queued mail protected by one opens on any.
            dataProtection.PersistKeysToDbContext<AppDbContext>();
            builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        }
        else
        {
            // Data Protection writes each key file 0600 itself (through Path.GetTempFileName, then a move).
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(directory));
        }

        if (!string.IsNullOrWhiteSpace(settings.KeysCertificate))
        {
            var certificate = LoadCertificate(settings, builder.Environment.ContentRootPath);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        builder.Services.AddSingleton(new SecretKeys(directory));
        builder.Services.AddSingleton(_ => RandomNumberGenerator.Create());
        return builder;
    }

    /// <summary>Creates the folder if need be, and makes it 0700 and the files in it 0600 (not on Windows).</summary>
    private static void MakeOwnerOnly(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }

        const UnixFileMode folderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        try
        {
            Directory.CreateDirectory(directory, folderMode);
            File.SetUnixFileMode(directory, folderMode);
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException(
                $"Setting 'App:KeysDirectory' ({directory}): the folder and its files could not be made the app user's alone (0700, 0600): {e.Message} " +
                "Give them to the user the app runs as.", e);
        }
    }

    private static X509Certificate2 LoadCertificate(AppSettings settings, string contentRoot)
    {
        var path = Path.GetFullPath(settings.KeysCertificate!, contentRoot);
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, settings.KeysCertificatePassword);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException($"Setting 'App:KeysCertificate' ({path}) has no private key; the keys could not be read back.");
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"Setting 'App:KeysCertificate' ({path}) could not be loaded with 'App:KeysCertificatePassword': {e.Message}", e);
        }
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
            // Written whole under another name, readable by the app's user only from its first byte, then moved into place.
            var temporary = path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(RandomNumberGenerator.GetBytes(length));
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary); // another process made it first: theirs is the key
            }
        }

        return File.ReadAllBytes(path);
    }
}
