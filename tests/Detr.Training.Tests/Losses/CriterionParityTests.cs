using System.Text.Json;
using Detr.Training.Losses;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Losses;

/// <summary>Matched indices and every loss term against the reference's matcher and SetCriterion in PyTorch.</summary>
public class CriterionParityTests
{
    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "matching", "criterion_cases.json")));
        for (int i = 0; i < doc.RootElement.GetArrayLength(); i++)
            yield return [i];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IndicesAndLossesEqualTheReference(int index)
    {
        using var scope = NewDisposeScope();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "matching", "criterion_cases.json")));
        var c = doc.RootElement[index];
        int classes = c.GetProperty("num_classes").GetInt32();
        var outputs = new DetrOutputs(JsonTensors.Floats(c.GetProperty("logits")), JsonTensors.Floats(c.GetProperty("boxes")),
            c.GetProperty("aux").EnumerateArray().Select(a => (JsonTensors.Floats(a.GetProperty("logits")), JsonTensors.Floats(a.GetProperty("boxes")))).ToList());
        var targets = c.GetProperty("targets").EnumerateArray().Select(t =>
        {
            var labels = t.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray();
            var boxes = t.GetProperty("boxes").EnumerateArray().SelectMany(b => b.EnumerateArray().Select(v => v.GetSingle())).ToArray();
            return new DetrTarget(tensor(labels, [labels.Length]), tensor(boxes, [labels.Length, 4]));
        }).ToList();

        var matcher = new HungarianMatcher();
        var expectedIndices = c.GetProperty("indices")[0];
        var matches = matcher.Match(outputs.Logits, outputs.Boxes, targets);
        for (int b = 0; b < targets.Count; b++)
        {
            Assert.Equal(expectedIndices[b][0].EnumerateArray().Select(v => v.GetInt64()), matches[b].Queries);
            Assert.Equal(expectedIndices[b][1].EnumerateArray().Select(v => v.GetInt64()), matches[b].Targets);
        }

        using var criterion = new SetCriterion(classes, matcher, decoderLayers: 3);
        var losses = criterion.Forward(outputs, targets);
        foreach (var expected in c.GetProperty("losses").EnumerateObject())
        {
            Assert.True(losses.ContainsKey(expected.Name), $"missing {expected.Name}");
            double want = expected.Value.GetDouble(), got = losses[expected.Name].item<float>();
            Assert.True(Math.Abs(want - got) <= 1e-5 * Math.Max(1, Math.Abs(want)), $"{expected.Name}: reference {want}, got {got}");
        }
        Assert.Equal(c.GetProperty("losses").EnumerateObject().Count(), losses.Count);
        // Total is Σ weight × term over weighted terms: 1·ce + 5·bbox + 2·giou for the last and both auxiliary layers.
        double total = 0;
        foreach (var suffix in new[] { "", "_0", "_1" })
            total += losses["loss_ce" + suffix].item<float>() + 5 * losses["loss_bbox" + suffix].item<float>() + 2 * losses["loss_giou" + suffix].item<float>();
        Assert.Equal(total, criterion.Total(losses).item<float>(), 4);
    }
}
