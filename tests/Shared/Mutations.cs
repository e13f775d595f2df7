using System.Text;

namespace Detr.Tests.Shared;

/// <summary>
/// Seeded mutations of a valid file, for fuzz tests: byte flips, truncation, insertion of random bytes, huge numbers
/// (binary fields set to all-ones or a sign bit; JSON numbers replaced by out-of-range ones) and, for text, deep nesting.
/// </summary>
static class Mutations
{
    /// <summary>One mutated file, with what was done to it (for failure messages).</summary>
    public sealed record Case(int Index, string Kind, byte[] Bytes);

    /// <summary>
    /// <paramref name="count"/> mutations of <paramref name="valid"/>, the same for the same seed. Text nests JSON
    /// brackets unless <paramref name="nesting"/> gives the format's own opening and closing tokens (XML elements).
    /// </summary>
    public static IEnumerable<Case> Of(byte[] valid, int count, int seed, bool text = false, (string Open, string Close)? nesting = null)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int kind = random.Next(text ? 5 : 4);
            yield return kind switch
            {
                0 => new Case(i, "flip", Flip(valid, random)),
                1 => new Case(i, "truncate", valid[..random.Next(valid.Length)]),
                2 => new Case(i, "insert", Insert(valid, random)),
                3 => text ? new Case(i, "huge number", HugeNumber(valid, random)) : new Case(i, "huge field", HugeField(valid, random)),
                _ => new Case(i, "deep nesting", Nest(valid, random, nesting ?? ("[", "]"))),
            };
        }
    }

    static byte[] Flip(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        for (int n = random.Next(1, 9); n > 0; n--)
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    static byte[] Insert(byte[] valid, Random random)
    {
        var extra = new byte[random.Next(1, 64)];
        random.NextBytes(extra);
        int at = random.Next(valid.Length + 1);
        return [.. valid[..at], .. extra, .. valid[at..]];
    }

    // Length and size fields are where readers trust the file; all-ones and 0x80000000 are the classic liars.
    static byte[] HugeField(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        int width = random.Next(2) == 0 ? 4 : 8;
        int at = random.Next(Math.Max(1, bytes.Length - width));
        byte fill = random.Next(3) switch { 0 => 0xFF, 1 => 0x7F, _ => 0x80 };
        for (int i = at; i < Math.Min(bytes.Length, at + width); i++)
            bytes[i] = fill;
        return bytes;
    }

    static byte[] HugeNumber(byte[] valid, Random random)
    {
        string text = Encoding.UTF8.GetString(valid);
        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiDigit(text[i - 1]))).ToArray();
        if (digits.Length == 0)
            return valid;
        int start = digits[random.Next(digits.Length)], end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
            end++;
        string[] huge = ["99999999999999999999999999", "1e308", "-1", "2147483648", "-9223372036854775809", "0"];
        return Encoding.UTF8.GetBytes(text[..start] + huge[random.Next(huge.Length)] + text[end..]);
    }

    static byte[] Nest(byte[] valid, Random random, (string Open, string Close) nesting)
    {
        int depth = random.Next(100, 20_000);
        int at = random.Next(valid.Length + 1);
        var nested = new StringBuilder().Insert(0, nesting.Open, depth).Insert(depth * nesting.Open.Length, nesting.Close, depth);
        return [.. valid[..at], .. Encoding.UTF8.GetBytes(nested.ToString()), .. valid[at..]];
    }
}
