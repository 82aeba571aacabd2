using System.Diagnostics.CodeAnalysis;

namespace OtpEmail.Admin.Common;

/// <summary>Either a value or an <see cref="OtpError"/>; what every service operation returns.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, OtpError? error)
    {
        _value = value;
        Error = error;
    }

    public OtpError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error.FullMessage}");

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(OtpError error) => new(default, error);

    public TOut Match<TOut>(Func<T, TOut> success, Func<OtpError, TOut> failure) =>
        IsSuccess ? success(_value!) : failure(Error);
}
