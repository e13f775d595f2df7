using System.Buffers.Binary;
using System.Text;
using Detr.Training.Weights;

namespace Detr.Training.Tests.Weights;

/// <summary>Damaged weight files give an error naming the file and what was expected, never a bare library message or a huge allocation.</summary>
public class LoaderErrorTests
{
    static string Copy(TempFolder folder, string fixture, string name, double keep = 1)
    {
        var bytes = File.ReadAllBytes(ModelFixtures.Path(fixture));
        string path = Path.Combine(folder.Path, name);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        return path;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.9999)]
    public void TruncatedPthNamesTheFileAndSaysItIsCut(double keep)
    {
        using var folder = new TempFolder();
        string path = Copy(folder, "detr_r18_tiny.pth", "truncated.pth", keep);
        var e = Assert.Throws<InvalidDataException>(() => DetrWeights.ReadStateDict(path));
        Assert.Contains("truncated.pth", e.Message);
        Assert.Contains("truncated", e.Message.Replace("truncated.pth", ""));
        Assert.Contains("zip", e.Message);
    }

    [Fact]
    public void PthWithADamagedEntryNamesTheEntry()
    {
        using var folder = new TempFolder();
        string path = Copy(folder, "detr_r18_tiny.pth", "damaged.pth");
        var bytes = File.ReadAllBytes(path);
        // The first central-directory entry's uncompressed size (offset 24 of "PK\x01\x02") claims 4 GB.
        int central = bytes.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 0xF000_0000);
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => DetrWeights.ReadStateDict(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "allocated for the claim");
        Assert.Contains("damaged.pth", e.Message);
        Assert.Contains("claims 4026531840 bytes", e.Message);
    }

    static string Safetensors(TempFolder folder, string name, ulong claimedHeader, string header, int dataBytes = 0)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeader);
        json.CopyTo(bytes, 8);
        string path = Path.Combine(folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void SafetensorsHeaderClaimingMoreThanTheFileIsRefusedBeforeAllocating()
    {
        using var folder = new TempFolder();
        string path = Safetensors(folder, "huge-header.safetensors", 1_000_000_000_000, "{}");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated for the claim");
        Assert.Contains("huge-header.safetensors", e.Message);
        Assert.Contains("claims 1000000000000 bytes", e.Message);
        Assert.Contains("the file has 2", e.Message);
    }

    [Theory]
    [InlineData("[0, 4000000000000]", "claims bytes 0..4000000000000")]
    [InlineData("[0, 9223372036854775807]", "claims bytes 0..9223372036854775807")]
    [InlineData("[8, 4]", "data_offsets [8,4]")]
    [InlineData("[0]", "data_offsets [0]")]
    public void SafetensorsTensorClaimingMoreThanTheFileIsRefusedBeforeAllocating(string offsets, string expected)
    {
        using var folder = new TempFolder();
        string header = "{\"w\": {\"dtype\": \"F32\", \"shape\": [1000000, 1000000], \"data_offsets\": " + offsets + "}}";
        string path = Safetensors(folder, "huge-tensor.safetensors", (ulong)Encoding.UTF8.GetByteCount(header), header, dataBytes: 16);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "allocated for the claim");
        Assert.Contains("huge-tensor.safetensors", e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("""{"w": {"shape": [1], "data_offsets": [0, 4]}}""", "dtype")]
    [InlineData("""{"w": {"dtype": "F32", "shape": "one", "data_offsets": [0, 4]}}""", "'w'")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}""", "4 bytes for shape [2] of F32")]
    [InlineData("""{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}""", "negative dimension")]
    [InlineData("""{"w": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}}""", "unsupported dtype Q4")]
    [InlineData("""[1, 2, 3]""", "not an object")]
    [InlineData("""{"__metadata__": 5}""", "__metadata__")]
    public void SafetensorsHeaderOfTheWrongShapeNamesWhatIsWrong(string header, string expected)
    {
        using var folder = new TempFolder();
        string path = Safetensors(folder, "odd.safetensors", (ulong)Encoding.UTF8.GetByteCount(header), header, dataBytes: 4);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.Contains("odd.safetensors", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedSafetensorsNamesTheTensorThatIsCut()
    {
        using var folder = new TempFolder();
        string path = Copy(folder, "detr_r18_tiny.safetensors", "cut.safetensors", keep: 0.5);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.Contains("cut.safetensors", e.Message);
        Assert.Contains("truncated", e.Message.Replace("cut.safetensors", ""));
    }
}
