using System.Diagnostics.CodeAnalysis;

namespace OtpEmail.Admin.Common;

/// <summary>Either a value or an <see cref="AppError"/>; what every service operation returns.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, AppError? error)
    {
        _value = value;
        Error = error;
    }

    public AppError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error.FullMessage}");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(AppError error) => new(default, error);

    public TOut Match<TOut>(Func<T, TOut> success, Func<AppError, TOut> failure) =>
        IsSuccess ? success(_value!) : failure(Error);
}
