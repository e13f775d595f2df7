namespace Detr.MLNet.Data;

/// <summary>Counts of what a dataset reader repaired or skipped, with the first few examples of each.</summary>
public sealed class DatasetReadReport
{
    const int ExamplesKept = 5;
    readonly Dictionary<string, (int Count, List<string> Examples)> _issues = new();

    /// <summary>Records one occurrence of <paramref name="kind"/> (e.g. "box clipped to the image").</summary>
    public void Add(string kind, string example)
    {
        if (!_issues.TryGetValue(kind, out var entry))
            entry = (0, new List<string>());
        if (entry.Examples.Count < ExamplesKept)
            entry.Examples.Add(example);
        _issues[kind] = (entry.Count + 1, entry.Examples);
    }

    /// <summary>How many times <paramref name="kind"/> happened.</summary>
    public int Count(string kind) => _issues.TryGetValue(kind, out var entry) ? entry.Count : 0;

    /// <summary>True when nothing had to be repaired or skipped.</summary>
    public bool IsClean => _issues.Count == 0;

    /// <summary>One line per kind: count and examples.</summary>
    public IEnumerable<string> Lines() =>
        _issues.Select(i => $"{i.Value.Count} × {i.Key} (e.g. {string.Join("; ", i.Value.Examples)})");

    /// <inheritdoc />
    public override string ToString() => IsClean ? "no problems" : string.Join(Environment.NewLine, Lines());

    /// <summary>Issue kinds the readers use.</summary>
    public static class Kinds
    {
        /// <summary>A box reaching outside the image was clipped to it.</summary>
        public const string BoxClipped = "box clipped to the image";

        /// <summary>A box with no area (after clipping) was skipped.</summary>
        public const string ZeroAreaBox = "zero-area box skipped";

        /// <summary>An image file listed by the annotations does not exist.</summary>
        public const string MissingImage = "image file missing";

        /// <summary>A VOC object marked difficult (kept, flagged as crowd so COCO evaluation ignores it).</summary>
        public const string Difficult = "difficult object kept as ignored (crowd)";
    }
}
