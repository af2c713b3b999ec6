using System.Security.Cryptography;

namespace Commons.Bridge.Jobs;

/// <summary>Commons job ids: 12 characters of lowercase letters and digits, 60 random bits.</summary>
public static class JobIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        Span<char> id = stackalloc char[12];
        for (var i = 0; i < id.Length; i++)
        {
            id[i] = Alphabet[bytes[i] & 31];
        }

        // A leading letter keeps ids from looking like Slurm's numeric ones.
        id[0] = Alphabet[10 + (bytes[0] % 22)];
        return new string(id);
    }
}
