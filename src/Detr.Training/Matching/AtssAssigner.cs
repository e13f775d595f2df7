namespace Detr.Training.Matching;

/// <summary>
/// ATSS, adaptive training sample selection (Zhang et al. 2020), as Co-DETR's auxiliary head uses it: for each
/// ground-truth box, the <see cref="CandidatesPerLevel"/> anchors nearest its centre on every feature level are
/// candidates; those whose IoU with the box is at least the candidates' mean + standard deviation, and whose centre lies
/// inside the box, become its positives; an anchor claimed by several boxes goes to the one it overlaps most. One box
/// gets several positives (one-to-many), at the levels that suit its size, without size ranges to tune.
/// </summary>
public static class AtssAssigner
{
    /// <summary>Candidates per box and level (the paper's k = 9).</summary>
    public const int CandidatesPerLevel = 9;

    /// <summary>
    /// The box each anchor is assigned to (its index in <paramref name="targets"/>), or −1 for a negative.
    /// <paramref name="anchors"/> are cx,cy,w,h per anchor (4 floats each) in the same normalised coordinates as the
    /// <paramref name="targets"/> (cx,cy,w,h per box); <paramref name="levels"/> gives each anchor's feature level and
    /// <paramref name="valid"/> whether it may be assigned at all (false on padding). Distances are measured in units
    /// of the anchor's own size, so levels of any resolution and non-square images rank alike.
    /// </summary>
    public static int[] Assign(ReadOnlySpan<float> anchors, ReadOnlySpan<int> levels, ReadOnlySpan<bool> valid, ReadOnlySpan<float> targets)
    {
        int count = levels.Length;
        if (anchors.Length != 4 * count || valid.Length != count || targets.Length % 4 != 0)
            throw new ArgumentException($"{count} anchors need {4 * count} anchor values and {count} valid flags, and targets 4 values each; got {anchors.Length}, {valid.Length} and {targets.Length}.");
        var assigned = new int[count];
        Array.Fill(assigned, -1);
        var bestIou = new double[count];
        int levelCount = count == 0 ? 0 : Max(levels) + 1;
        var candidates = new List<int>();
        var nearest = new List<(double Distance, int Anchor)>();
        for (int t = 0; t < targets.Length / 4; t++)
        {
            var box = Box.FromCenter(targets.Slice(4 * t, 4));
            if (box.Area <= 0)
                continue;
            candidates.Clear();
            for (int level = 0; level < levelCount; level++)
            {
                nearest.Clear();
                for (int a = 0; a < count; a++)
                {
                    if (levels[a] != level || !valid[a])
                        continue;
                    double dx = (anchors[4 * a] - box.CenterX) / anchors[4 * a + 2], dy = (anchors[4 * a + 1] - box.CenterY) / anchors[4 * a + 3];
                    nearest.Add((dx * dx + dy * dy, a));
                }
                nearest.Sort();
                for (int i = 0; i < Math.Min(CandidatesPerLevel, nearest.Count); i++)
                    candidates.Add(nearest[i].Anchor);
            }
            if (candidates.Count == 0)
                continue;
            var ious = new double[candidates.Count];
            for (int i = 0; i < ious.Length; i++)
                ious[i] = Box.FromCenter(anchors.Slice(4 * candidates[i], 4)).Iou(box);
            double mean = ious.Average();
            double std = Math.Sqrt(ious.Sum(v => (v - mean) * (v - mean)) / Math.Max(ious.Length - 1, 1)); // torch.std: unbiased
            double threshold = mean + std;
            for (int i = 0; i < candidates.Count; i++)
            {
                int a = candidates[i];
                if (ious[i] < threshold || !box.Contains(anchors[4 * a], anchors[4 * a + 1]) || ious[i] <= bestIou[a])
                    continue;
                assigned[a] = t;
                bestIou[a] = ious[i];
            }
        }
        return assigned;
    }

    static int Max(ReadOnlySpan<int> values)
    {
        int max = int.MinValue;
        foreach (int v in values)
            max = Math.Max(max, v);
        return max;
    }

    readonly record struct Box(double X0, double Y0, double X1, double Y1)
    {
        public static Box FromCenter(ReadOnlySpan<float> b) => new(b[0] - b[2] / 2.0, b[1] - b[3] / 2.0, b[0] + b[2] / 2.0, b[1] + b[3] / 2.0);

        public double CenterX => (X0 + X1) / 2;

        public double CenterY => (Y0 + Y1) / 2;

        public double Area => Math.Max(0, X1 - X0) * Math.Max(0, Y1 - Y0);

        // Strictly inside, as ATSS's min(l, t, r, b) > 0.01 in pixels; in normalised units any positive margin.
        public bool Contains(double x, double y) => x > X0 && x < X1 && y > Y0 && y < Y1;

        public double Iou(Box other)
        {
            double w = Math.Min(X1, other.X1) - Math.Max(X0, other.X0), h = Math.Min(Y1, other.Y1) - Math.Max(Y0, other.Y0);
            double intersection = Math.Max(0, w) * Math.Max(0, h);
            return intersection / (Area + other.Area - intersection);
        }
    }
}
