using System.Text.Json;
using Detr.Training.Losses;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Losses;

/// <summary>Deformable DETR's focal matcher and criterion against the reference's, on outputs of its own models.</summary>
public class FocalCriterionParityTests
{
    static (DetrOutputs Outputs, List<DetrTarget> Targets, JsonElement Case) Load(string variant, JsonDocument doc)
    {
        var c = doc.RootElement;
        var o = c.GetProperty("outputs");
        var logits = JsonTensors.Floats(o.GetProperty("pred_logits"));
        var boxes = JsonTensors.Floats(o.GetProperty("pred_boxes"));
        long layers = logits.shape[0];
        var auxiliary = Enumerable.Range(0, (int)layers - 1).Select(i => (logits[i], boxes[i])).ToList();
        (Tensor, Tensor)? encoder = o.TryGetProperty("enc_logits", out var encLogits) ? (JsonTensors.Floats(encLogits), JsonTensors.Floats(o.GetProperty("enc_boxes"))) : null;
        var outputs = new DetrOutputs(logits[layers - 1], boxes[layers - 1], auxiliary, encoder);
        var targets = c.GetProperty("targets").EnumerateArray().Select(t =>
        {
            var labels = t.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray();
            var values = t.GetProperty("boxes_cxcywh").EnumerateArray().SelectMany(b => b.EnumerateArray().Select(v => v.GetSingle())).ToArray();
            return new DetrTarget(tensor(labels, [labels.Length]), tensor(values, [labels.Length, 4]));
        }).ToList();
        return (outputs, targets, c);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("refine")]
    [InlineData("twostage")]
    public void IndicesAndEveryLossTermEqualTheReference(string variant)
    {
        using var scope = NewDisposeScope();
        using var doc = JsonDocument.Parse(File.ReadAllText(DeformableFixtures.Path($"deformable_{variant}_criterion.json")));
        var (outputs, targets, c) = Load(variant, doc);
        var matcher = new HungarianMatcher(classCost: 2, boxCost: 5, giouCost: 2, ClassificationKind.Sigmoid);

        void AssertIndices(string key, Tensor logits, Tensor boxes, IReadOnlyList<DetrTarget> against)
        {
            var expected = c.GetProperty("indices").GetProperty(key);
            var matches = matcher.Match(logits, boxes, against);
            for (int b = 0; b < against.Count; b++)
            {
                Assert.Equal(expected[b][0].EnumerateArray().Select(v => v.GetInt64()), matches[b].Queries);
                Assert.Equal(expected[b][1].EnumerateArray().Select(v => v.GetInt64()), matches[b].Targets);
            }
        }
        AssertIndices("final", outputs.Logits, outputs.Boxes, targets);
        AssertIndices("aux_0", outputs.Auxiliary[0].Logits, outputs.Auxiliary[0].Boxes, targets);
        if (outputs.Encoder is var (encLogits, encBoxes))
            AssertIndices("enc", encLogits, encBoxes, targets.Select(t => new DetrTarget(zeros_like(t.Labels), t.Boxes)).ToList());

        using var criterion = new SetCriterion(5, matcher, classLossWeight: 2, boxLossWeight: 5, giouLossWeight: 2,
            decoderLayers: outputs.Auxiliary.Count + 1);
        var losses = criterion.Forward(outputs, targets);
        var expectedLosses = c.GetProperty("losses_float64");
        Assert.Equal(expectedLosses.EnumerateObject().Select(p => p.Name).Order(), losses.Keys.Order());
        foreach (var term in expectedLosses.EnumerateObject())
        {
            double expected = term.Value.GetDouble(), actual = losses[term.Name].item<float>();
            Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{variant} {term.Name}: {actual} vs the reference's {expected}");
        }
        var weights = c.GetProperty("weight_dict").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(weights.OrderBy(p => p.Key), criterion.WeightDict.OrderBy(p => p.Key));
        double total = criterion.Total(losses).item<float>();
        Assert.Equal(c.GetProperty("loss_total_float64").GetDouble(), total, 1e-4);
    }
}
