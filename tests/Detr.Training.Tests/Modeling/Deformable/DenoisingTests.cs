using Detr.Training.Export;
using Detr.Training.Losses;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Modeling.Deformable.Denoising;
using Detr.Training.Tests.Trainers;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling.Deformable;

public class DenoisingTests
{
    static readonly DeformableDetrConfig WithDenoising = TinyTraining.DeformableModel with
    {
        NumClasses = 3,
        BoxRefine = true,
        Denoising = new DenoisingSettings { Groups = 3 },
    };

    static (Tensor Images, Tensor Padding, List<DetrTarget> Targets) Batch()
    {
        var g = new Generator(7);
        var images = randn([2, 3, 64, 80], generator: g);
        var padding = zeros(2, 64, 80, ScalarType.Bool);
        padding[1, TensorIndex.Slice(48, null)].fill_(true); // the second image is padded
        var targets = new List<DetrTarget>
        {
            new(tensor(new long[] { 0, 2, 1 }), tensor(new float[,] { { 0.3f, 0.3f, 0.2f, 0.3f }, { 0.6f, 0.5f, 0.4f, 0.2f }, { 0.5f, 0.7f, 0.1f, 0.1f } })),
            new(tensor(new long[] { 1 }), tensor(new float[,] { { 0.4f, 0.4f, 0.5f, 0.5f } })),
        };
        return (images, padding, targets);
    }

    [Fact]
    public void NoisedBoxesStayInsideTheImageAndNearTheirTarget()
    {
        // Centres in [0.4, 0.6], sizes in [0.1, 0.3]: even grown by 40 % no box reaches an edge, so no clamping moves them.
        var unit = rand([2000, 4], generator: new Generator(1));
        var boxes = cat([unit[.., TensorIndex.Slice(0, 2)] * 0.2 + 0.4, unit[.., TensorIndex.Slice(2, 4)] * 0.2 + 0.1], 1);
        var noised = DenoisingNoise.Boxes(boxes, 0.4, new Generator(2));
        Assert.Equal(boxes.shape, noised.shape);
        var corners = Detr.Training.Boxes.BoxOps.CxCyWhToXyxy(noised);
        Assert.True(corners.min().item<float>() >= -1e-6 && corners.max().item<float>() <= 1 + 1e-6, "noised boxes leave [0, 1]");
        // Centres move by at most λ/2 of the size.
        var shift = (noised[.., TensorIndex.Slice(0, 2)] - boxes[.., TensorIndex.Slice(0, 2)]).abs() / boxes[.., TensorIndex.Slice(2, 4)];
        Assert.True(shift.max().item<float>() <= 0.2f + 1e-4f, $"centre moved {shift.max().item<float>()} of the size");
        Assert.True(shift.mean().item<float>() > 0.05f, "the centres should move");
        Assert.Equal(0, (DenoisingNoise.Boxes(boxes, 0, new Generator(2)) - boxes).abs().max().item<float>());
        // A box beyond the image is cut to it.
        var outside = DenoisingNoise.Boxes(tensor(new float[,] { { 0.95f, 0.5f, 0.5f, 0.5f } }), 0.4, new Generator(4));
        Assert.True(Detr.Training.Boxes.BoxOps.CxCyWhToXyxy(outside).max().item<float>() <= 1 + 1e-6);
    }

    [Fact]
    public void LabelNoiseFlipsTheGivenFractionToValidClasses()
    {
        var labels = zeros(10000, ScalarType.Int64);
        var noised = DenoisingNoise.Labels(labels, 0.2, numClasses: 5, new Generator(3));
        Assert.InRange(noised.min().item<long>(), 0, 4);
        Assert.InRange(noised.max().item<long>(), 0, 4);
        // 20 % are redrawn, a fifth of those land on class 0 again: 16 % change.
        double changed = noised.ne(0L).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(changed, 0.14, 0.18);
        Assert.True(DenoisingNoise.Labels(labels, 0, 5).eq(0L).all().item<bool>());
    }

    [Fact]
    public void DenoisingQueriesLeaveTheMatchingQueriesUntouched()
    {
        var (images, padding, targets) = Batch();
        torch.manual_seed(11);
        var model = new DeformableDetrModel(WithDenoising);
        model.train(); // dropout is 0: training mode changes nothing but switches the denoising queries on
        var plain = model.forward(images, padding);
        var withQueries = model.ForwardTraining(images, padding, targets);

        Assert.Null(plain.Denoising);
        Assert.Equal(0, (plain.Logits - withQueries.Logits).abs().max().item<float>());
        Assert.Equal(0, (plain.Boxes - withQueries.Boxes).abs().max().item<float>());
        var denoised = withQueries.Denoising!;
        Assert.Equal(WithDenoising.DecoderLayers, denoised.Layers.Count);
        long real = 3 * (3 + 1); // groups × targets
        Assert.Equal(new long[] { real, 3 }, denoised.Layers[^1].Logits.shape);
        Assert.Equal(new long[] { real, 4 }, denoised.Layers[^1].Boxes.shape);
        Assert.Equal(new long[] { 0, 2, 1, 0, 2, 1, 0, 2, 1, 1, 1, 1 }, denoised.Labels.data<long>().ToArray());

        model.eval();
        Assert.Null(model.ForwardTraining(images, padding, targets).Denoising);
    }

    [Fact]
    public void ABatchWithoutTargetsHasNoDenoisingQueries()
    {
        var (images, padding, _) = Batch();
        var model = new DeformableDetrModel(WithDenoising);
        model.train();
        var empty = new List<DetrTarget> { new(zeros(0, ScalarType.Int64), zeros(0, 4)), new(zeros(0, ScalarType.Int64), zeros(0, 4)) };
        Assert.Null(model.ForwardTraining(images, padding, empty).Denoising);

        // One image without targets beside one with: its rows are all padding, and everything stays finite.
        var mixed = new List<DetrTarget> { empty[0], new(tensor(new long[] { 2 }), tensor(new float[,] { { 0.5f, 0.5f, 0.3f, 0.3f } })) };
        var outputs = model.ForwardTraining(images, padding, mixed);
        Assert.Equal(3, outputs.Denoising!.Layers[^1].Logits.shape[0]);
        Assert.True(outputs.Denoising.Layers.All(l => l.Logits.isfinite().all().item<bool>() && l.Boxes.isfinite().all().item<bool>()));
    }

    [Fact]
    public void CriterionAddsReconstructionLossesThatTrainTheDenoisingModule()
    {
        var (images, padding, targets) = Batch();
        var model = new DeformableDetrModel(WithDenoising);
        model.train();
        using var criterion = new SetCriterion(3, new HungarianMatcher(2, 5, 2, ClassificationKind.Sigmoid), classLossWeight: 2, decoderLayers: WithDenoising.DecoderLayers, denoising: true);
        var losses = criterion.Forward(model.ForwardTraining(images, padding, targets), targets);
        foreach (string key in new[] { "loss_ce_dn", "loss_bbox_dn", "loss_giou_dn", "loss_ce_dn_0", "loss_bbox_dn_0", "loss_giou_dn_0" })
        {
            Assert.True(losses.ContainsKey(key), key);
            Assert.True(criterion.WeightDict.ContainsKey(key), key + " has a weight");
        }
        criterion.Total(losses).backward();
        var labelEmbedding = model.named_parameters().Single(p => p.name == "denoising.label_embed.weight").parameter;
        Assert.True(labelEmbedding.grad is { } grad && grad.abs().sum().item<float>() > 0, "the label embedding gets a gradient");
    }

    [Fact]
    public void CriterionWithoutDenoisingRefusesDenoisingOutputsInsteadOfDroppingTheirLosses()
    {
        var (images, padding, targets) = Batch();
        var model = new DeformableDetrModel(WithDenoising);
        model.train();
        using var criterion = new SetCriterion(3, new HungarianMatcher(2, 5, 2, ClassificationKind.Sigmoid), classLossWeight: 2, decoderLayers: WithDenoising.DecoderLayers);
        Assert.DoesNotContain(criterion.WeightDict.Keys, key => key.Contains("_dn"));
        var error = Assert.Throws<InvalidOperationException>(() => criterion.Forward(model.ForwardTraining(images, padding, targets), targets));
        Assert.Contains("denoising: true", error.Message);
    }

    [Fact]
    public void ExportIsTheSameWithOrWithoutTheDenoisingModule()
    {
        torch.manual_seed(5);
        var trained = new DeformableDetrModel(WithDenoising);
        var plain = new DeformableDetrModel(WithDenoising with { Denoising = null });
        var report = StateDictLoader.Load(plain, trained.state_dict(), source: "test");
        Assert.Empty(report.Unexpected); // the denoising weights are training-only, so a model without them ignores them
        trained.eval();
        plain.eval();
        Assert.Equal(DetrOnnxExporter.ToBytes(plain), DetrOnnxExporter.ToBytes(trained));

        // The other way: weights without denoising keys load into a model with them, which starts them fresh.
        var fresh = new DeformableDetrModel(WithDenoising);
        var back = StateDictLoader.Load(fresh, plain.state_dict(), source: "test");
        Assert.Contains("denoising.label_embed.weight", back.Reinitialised);
        Assert.Empty(back.Missing);
    }
}
