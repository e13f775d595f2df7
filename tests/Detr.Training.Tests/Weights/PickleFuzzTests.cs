using System.IO.Compression;
using Detr.Tests.Shared;
using Detr.Training.Weights;
using Xunit.Abstractions;

namespace Detr.Training.Tests.Weights;

/// <summary>
/// Seeded mutations of the pickle stream inside a real torch.save checkpoint (its <c>data.pkl</c>, re-zipped with the
/// storages untouched), through the restricted unpickler: each case loads or fails with <see cref="InvalidDataException"/>
/// naming the file; nothing crashes, hangs or allocates (managed) beyond a bound.
/// </summary>
public class PickleFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(300);

    [Fact]
    public void MutatedPicklesLoadOrFailWithInvalidData()
    {
        using var folder = new TempFolder();
        var entries = new List<(string Name, byte[] Bytes)>();
        using (var archive = ZipFile.OpenRead(ModelFixtures.Path("detr_r18_tiny.pth")))
            foreach (var entry in archive.Entries)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                entries.Add((entry.FullName, copy.ToArray()));
            }
        int pickle = entries.FindIndex(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal));
        var (loaded, refused) = FuzzCase.RunAll("pickle", Mutations.Of(entries[pickle].Bytes, Cases, seed: 41), mutation =>
        {
            string path = Path.Combine(folder.Path, $"case{mutation.Index}.pth");
            using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
            foreach (var (name, bytes) in entries.Select((e, i) => i == pickle ? (e.Name, mutation.Bytes) : e))
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(bytes);
            }
            return path;
        }, path => TorchCheckpointReader.DisposeTensors(TorchCheckpointReader.Load(path)), TimeSpan.FromSeconds(20), 256L << 20);
        output.WriteLine($"pickle: {Cases} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 10, "the mutations should often break the pickle");
    }
}
