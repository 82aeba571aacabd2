namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>Waits for a condition (checked every 20 ms) instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Waits until <paramref name="read"/> gives a value, and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, string what, TimeSpan? timeout = null)
        where T : class
    {
        T? value = null;
        await TrueAsync(async () => (value = await read()) is not null, what, timeout);
        return value!;
    }
}
