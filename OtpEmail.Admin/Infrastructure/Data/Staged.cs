using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// How a staged write ends: its answer, and whether the changes it staged are saved. A value saves
/// them; an error discards them (a stage checks before it changes anything, so it has staged
/// nothing then), unless it is <see cref="Recorded"/>, like a wrong code whose failed try counts.
/// </summary>
public readonly struct Staged<T>
{
    private Staged(Result<T> result, bool save)
    {
        Result = result;
        Save = save;
    }

    public Result<T> Result { get; }

    public bool Save { get; }

    public static implicit operator Staged<T>(T value) => new(value, save: true);

    public static implicit operator Staged<T>(AppError error) => new(error, save: false);

    /// <summary>A failed answer whose staged changes are saved all the same.</summary>
    public static Staged<T> Recorded(AppError error) => new(error, save: true);
}
