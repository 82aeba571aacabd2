using System.Globalization;
using System.Resources;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Components;

/// <summary>
/// The staff pages' words for a refusal (<c>StaffMessages.resx</c>, by error id): "Enter an address
/// like name@example.com" where the API says "email.address must be a plain address …".
/// </summary>
public static class StaffMessages
{
    private static readonly ResourceManager Texts = new("OtpEmail.Admin.Components.StaffMessages", typeof(StaffMessages).Assembly);

    /// <summary>What a person reads for <paramref name="error"/>; the service's message where none is written.</summary>
    public static string For(AppError error) => Texts.GetString(error.Id, CultureInfo.CurrentUICulture) ?? error.Message;

    /// <summary>The button that tries a failed page again.</summary>
    public static string TryAgain => Texts.GetString("TRY-AGAIN", CultureInfo.CurrentUICulture) ?? "Try again";
}
