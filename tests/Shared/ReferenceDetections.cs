using System.Text.Json;

namespace Detr.Tests.Shared;

/// <summary>
/// One image's expected detections from the scoring fixtures (e2e_*_expected.json, written by
/// tests/fixtures/make_scoring_fixtures.py with the reference's PostProcess in PyTorch), listed best first as the
/// scorer lists them. Their boxes are in the image's own pixels, so a scorer that left boxes normalised fails on them.
/// </summary>
sealed record ReferenceDetections(string File, uint[] Keys, float[] Scores, float[] Boxes)
{
    /// <summary>Each image of <paramref name="expectedJson"/>, and the resize the fixture was made with.</summary>
    public static (ReferenceDetections[] Images, int ShortestEdge, int LongestEdge) Load(string expectedJson)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(expectedJson));
        var images = doc.RootElement.GetProperty("images").EnumerateArray().Select(image =>
        {
            var scores = image.GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var labels = image.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var boxes = image.GetProperty("boxes").EnumerateArray().Select(b => b.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray();
            // The reference lists queries in order; the scorer lists them best first (a stable sort).
            var order = Enumerable.Range(0, scores.Length).OrderByDescending(q => scores[q]).ToArray();
            return new ReferenceDetections(image.GetProperty("file").GetString()!, order.Select(q => (uint)labels[q] + 1).ToArray(),
                order.Select(q => scores[q]).ToArray(), order.SelectMany(q => boxes[q]).ToArray());
        }).ToArray();
        return (images, doc.RootElement.GetProperty("shortest_edge").GetInt32(), doc.RootElement.GetProperty("longest_edge").GetInt32());
    }

    /// <summary>Fails unless <paramref name="keys"/>, <paramref name="scores"/> and x0,y0,x1,y1 <paramref name="boxes"/> are these, within float noise.</summary>
    public void AssertMatches(IReadOnlyList<uint> keys, IReadOnlyList<float> scores, IReadOnlyList<float> boxes)
    {
        Assert.Equal(Keys, keys);
        Assert.Equal(Scores.Length, scores.Count);
        for (int i = 0; i < Scores.Length; i++)
            Assert.Equal(Scores[i], scores[i], 1e-4f);
        Assert.Equal(Boxes.Length, boxes.Count);
        for (int i = 0; i < Boxes.Length; i++)
            Assert.True(Math.Abs(Boxes[i] - boxes[i]) <= 1e-3f, $"{File}: box value {i} is {boxes[i]}, the reference's {Boxes[i]} (original pixels)");
    }
}
