using System.Text;
using Detr.MLNet.Data;
using Detr.Tests.Shared;
using Xunit.Abstractions;

namespace Detr.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a valid Pascal VOC annotation file (XML elements nested deep among them): each either loads, or
/// fails with <see cref="InvalidDataException"/> naming the file; nothing crashes, hangs or allocates beyond a bound.
/// </summary>
public class VocXmlFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(3000);

    static string ValidVoc()
    {
        var text = new StringBuilder("""
            <?xml version="1.0" encoding="utf-8"?>
            <annotation>
              <folder>VOC2007</folder>
              <filename>img.png</filename>
              <size><width>64</width><height>48</height><depth>3</depth></size>
              <segmented>0</segmented>

            """);
        string[] names = ["cat", "dog", "bird"];
        for (int i = 0; i < 6; i++)
            text.Append($"""
                  <object>
                    <name>{names[i % 3]}</name><pose>Unspecified</pose><truncated>0</truncated><difficult>{(i == 4 ? 1 : 0)}</difficult>
                    <bndbox><xmin>{1 + 5 * i}</xmin><ymin>{2 + 3 * i}</ymin><xmax>{20 + 8 * i}</xmax><ymax>{15.5 + 5 * i}</ymax></bndbox>
                  </object>

                """);
        return text.Append("</annotation>\n").ToString();
    }

    [Fact]
    public void MutatedVocXmlLoadsOrFailsWithInvalidData()
    {
        using var folder = new TempFolder();
        var valid = Encoding.UTF8.GetBytes(ValidVoc());
        // The image exists, so a mutation that keeps the annotation valid loads fully.
        Fixtures.WritePng(folder.Path, "img.png", 8, 8, 1);
        string annotations = Directory.CreateDirectory(Path.Combine(folder.Path, "ann")).FullName;
        File.WriteAllBytes(Path.Combine(annotations, "clean.xml"), valid);
        Assert.Equal(6, Assert.Single(VocDatasetReader.Read(annotations, folder.Path).Images).Boxes.Count);
        string[] classes = ["bird", "cat", "dog"];
        string? previous = Path.Combine(annotations, "clean.xml");
        var (loaded, refused) = FuzzCase.RunAll("voc", Mutations.Of(valid, Cases, seed: 51, text: true, nesting: ("<a>", "</a>")), mutation =>
        {
            // One annotation in the folder at a time: the reader reads them all.
            File.Delete(previous);
            previous = Path.Combine(annotations, $"case{mutation.Index}.xml");
            File.WriteAllBytes(previous, mutation.Bytes);
            return previous;
        }, path => VocDatasetReader.Read(annotations, folder.Path, path.EndsWith("0.xml", StringComparison.Ordinal) ? classes : null),
            TimeSpan.FromSeconds(10), 64L << 20);
        output.WriteLine($"voc: {Cases} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 4, "the mutations should mostly break the file");
    }
}
