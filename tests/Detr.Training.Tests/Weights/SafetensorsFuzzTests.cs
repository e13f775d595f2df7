using Detr.Tests.Shared;
using Detr.Training.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>
/// Seeded mutations of a valid safetensors file: each either loads, or fails with <see cref="InvalidDataException"/>
/// naming the file; nothing crashes, hangs or allocates (managed) beyond a bound.
/// </summary>
public class SafetensorsFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(400);

    [Fact]
    public void MutatedSafetensorsLoadOrFailWithInvalidData()
    {
        using var folder = new TempFolder();
        string clean = Path.Combine(folder.Path, "clean.safetensors");
        using (var scope = NewDisposeScope())
        {
            var tensors = new Dictionary<string, Tensor>
            {
                ["backbone.conv.weight"] = arange(0, 96, dtype: ScalarType.Float32).reshape(2, 3, 4, 4),
                ["class_embed.bias"] = ones(5),
                ["steps"] = tensor(new long[] { 7, 8 }),
                ["mask"] = tensor(new[] { true, false, true }),
            };
            SafetensorsFile.Write(clean, tensors, new Dictionary<string, string> { ["format"] = "pt", ["detr.classes"] = "a,b" });
        }
        var valid = File.ReadAllBytes(clean);
        var (loaded, refused) = FuzzCase.RunAll("safetensors", Mutations.Of(valid, Cases, seed: 31), mutation =>
        {
            string path = Path.Combine(folder.Path, $"case{mutation.Index}.safetensors");
            File.WriteAllBytes(path, mutation.Bytes);
            return path;
        }, path =>
        {
            var (read, _) = SafetensorsFile.Read(path);
            foreach (var t in read.Values)
                t.Dispose();
        }, TimeSpan.FromSeconds(10), 16L << 20);
        output.WriteLine($"safetensors: {Cases} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 10, "the mutations should often break the file");
    }
}
