namespace OtpEmail.Admin.Features.Users;

public sealed class Organization
{
    public long Id { get; set; }

    public required string Name { get; set; }
}
