using Microsoft.AspNetCore.Authentication.Cookies;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// The staff cookie's name: <c>__Host-</c>-prefixed, so a browser takes it only as Secure, for
/// <c>Path=/</c> and from this very host (no sibling subdomain can plant or overwrite it). Only in
/// Development over plain HTTP (localhost) is it the plain name, which a browser would refuse otherwise;
/// outside Development it is prefixed always, so a proxy the app does not know about cannot drop it.
/// </summary>
internal sealed class HostPrefixedCookies(ICookieManager inner, bool always) : ICookieManager
{
    public const string Prefix = "__Host-";

    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, Name(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        inner.AppendResponseCookie(context, Name(context, key), value, options);

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) => inner.DeleteCookie(context, Name(context, key), options);

    private string Name(HttpContext context, string key) => always || context.Request.IsHttps ? Prefix + key.TrimStart('.') : key;
}
