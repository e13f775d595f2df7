using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>
/// The restricted unpickler against torch.save files that run code under Python's own unpickler
/// (tests/fixtures/make_unsafe_pickle_fixtures.py), and against the harmless globals real DETR checkpoints carry.
/// </summary>
public class UnsafePickleTests
{
    // What the payloads create when Python unpickles them; the fixture script checks that they do.
    static string Marker => Path.Combine(Path.GetTempPath(), "detr_mlnet_unsafe_pickle_ran");

    [Theory]
    [InlineData("system_global", "'posix.system'")]            // GLOBAL + REDUCE, pickle protocol 2
    [InlineData("system_stack_global", "'posix.system'")]      // STACK_GLOBAL + REDUCE, protocol 4
    [InlineData("exec_reduce", "'builtins.exec'")]             // __reduce__ to another callable
    [InlineData("storage_class_call", "'torch.FloatStorage'")] // a known global that is a storage type, not a callable
    public void CodeRunningPicklesAreRefusedNamingTheGlobal(string name, string global)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "unsafe", $"{name}.pth");
        File.Delete(Marker);
        var fromReader = Assert.Throws<InvalidDataException>(() => TorchCheckpointReader.Load(path));
        var fromWeights = Assert.Throws<InvalidDataException>(() => DetrWeights.ReadStateDict(path));
        foreach (var e in new[] { fromReader, fromWeights })
        {
            Assert.Contains(global, e.Message);
            Assert.Contains("does not allow", e.Message);
            Assert.Contains($"{name}.pth", e.Message);
        }
        Assert.False(File.Exists(Marker), "the payload ran");
    }

    [Fact]
    public void ATrainingCheckpointWithArgsLoads()
    {
        using var scope = NewDisposeScope();
        // detr_r18_tiny.pth is saved as the reference's main.py does: model, optimizer, lr_scheduler, epoch, args.
        var root = TorchCheckpointReader.Load(ModelFixtures.Path("detr_r18_tiny.pth"));
        try
        {
            var checkpoint = Assert.IsType<PickleDict>(root);
            Assert.Equal(new[] { "model", "optimizer", "lr_scheduler", "epoch", "args" }, checkpoint.Keys.Cast<string>());
            var args = Assert.IsType<PickleDict>(checkpoint["args"]);
            Assert.Equal("argparse.Namespace", args.ClassName);
            Assert.Equal("resnet18", args["backbone"]);
            Assert.Equal(64L, args["hidden_dim"]);
            Assert.Equal(1e-5, args["lr_backbone"]);
            Assert.False(Assert.IsType<bool>(args["dilation"]));
            Assert.Null(args["frozen_weights"]);
            var groups = Assert.IsType<List<object?>>(Assert.IsType<PickleDict>(checkpoint["optimizer"])["param_groups"]);
            Assert.Equal(new object?[] { 0.9, 0.999 }, Assert.IsType<object?[]>(Assert.IsType<PickleDict>(groups[0])["betas"]));
            Assert.Equal(0L, checkpoint["epoch"]);
            var model = Assert.IsType<PickleDict>(checkpoint["model"]);
            Assert.Equal("collections.OrderedDict", model.ClassName);
            Assert.IsAssignableFrom<Tensor>(model["query_embed.weight"]);
        }
        finally
        {
            TorchCheckpointReader.DisposeTensors(root);
        }
        var state = DetrWeights.ReadStateDict(ModelFixtures.Path("detr_r18_tiny.pth"));
        Assert.Contains("backbone.0.body.conv1.weight", state.Keys);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("param_groups", StringComparison.Ordinal));
    }
}
