using System.IO.Compression;
using System.Text;
using Detr.MLNet.Persistence;
using Detr.MLNet.Tests.Scoring;
using Microsoft.ML;

namespace Detr.MLNet.Tests.Persistence;

/// <summary>The ML.NET internals model save/load reaches by reflection, and the save format's versions.</summary>
public class MLNetInternalsTests
{
    [Fact]
    public void EveryInternalMemberIsWhereThisMLNetVersionKeepsIt() => MLNetInternals.ResolveAll();

    [Theory]
    [InlineData(0x00010002u, "saved in format 00010002 by a newer Detr.MLNet; this one reads formats 00010001 to 00010001. Update Detr.MLNet")]
    [InlineData(0x00010000u, "saved in format 00010000; this Detr.MLNet reads formats 00010001 to 00010001. Save it again")]
    public void FormatsOutsideTheReadableRangeAreRefusedSayingWhich(uint savedVersion, string expected)
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Fixtures.WritePng(folder.Path, "a.png", 40, 30, 1));
        string zip = Path.Combine(folder.Path, "model.zip");
        ml.Model.Save(ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data), data.Schema, zip);
        StampFormatVersion(zip, savedVersion);

        var fresh = new MLContext(seed: 0);
        fresh.ComponentCatalog.RegisterDetr();
        var error = Assert.ThrowsAny<Exception>(() => fresh.Model.Load(zip, out _));
        Assert.Contains(expected, ExceptionChain.Find<InvalidDataException>(error).Message);
    }

    // The transformer's entry starts, after ML.NET's header, with the format version and then the settings JSON.
    static void StampFormatVersion(string zip, uint version)
    {
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        foreach (var entry in archive.Entries.ToArray())
        {
            byte[] bytes;
            using (var stream = entry.Open())
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            int json = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("{\"ImageColumnName\""));
            if (json < 0)
                continue;
            int at = json - 2 - 4; // a two-byte string length (the JSON is 128 to 16383 bytes) before it
            Assert.Equal(0x00010001u, BitConverter.ToUInt32(bytes, at));
            BitConverter.GetBytes(version).CopyTo(bytes, at);
            string name = entry.FullName;
            entry.Delete();
            using var replaced = archive.CreateEntry(name).Open();
            replaced.Write(bytes);
            return;
        }
        Assert.Fail("No DETR scoring entry in the zip.");
    }
}
