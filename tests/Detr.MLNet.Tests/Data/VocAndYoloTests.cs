using Detr.MLNet.Data;

namespace Detr.MLNet.Tests.Data;

public class VocAndYoloTests
{
    [Fact]
    public void VocReadsBoxesAndKeepsDifficultAsCrowd()
    {
        using var folder = new TempFolder();
        Fixtures.WritePng(folder.Path, "000001.jpg.png", 60, 40, 1);
        Directory.CreateDirectory(Path.Combine(folder.Path, "ann"));
        File.WriteAllText(Path.Combine(folder.Path, "ann", "000001.xml"), """
            <annotation><filename>000001.jpg.png</filename><size><width>60</width><height>40</height><depth>3</depth></size>
              <object><name>dog</name><difficult>0</difficult><bndbox><xmin>11</xmin><ymin>6</ymin><xmax>30</xmax><ymax>20</ymax></bndbox></object>
              <object><name>cat</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>70</xmax><ymax>10</ymax></bndbox></object>
            </annotation>
            """);
        var dataset = VocDatasetReader.Read(Path.Combine(folder.Path, "ann"), folder.Path);
        Assert.Equal(["cat", "dog"], dataset.Categories.Select(c => c.Name));
        var boxes = Assert.Single(dataset.Images).Boxes;
        // 1-based inclusive VOC pixels: xmin 11 → x0 10; the cat box is clipped at the right edge (70 → 60).
        Assert.Equal(new DetectionBox(2, 10, 5, 30, 20, 300, false), boxes[0]);
        Assert.Equal(new DetectionBox(1, 0, 0, 60, 10, 600, true), boxes[1]);
        Assert.Equal(1, dataset.Report.Count(DatasetReadReport.Kinds.Difficult));
        Assert.Equal(1, dataset.Report.Count(DatasetReadReport.Kinds.BoxClipped));
    }

    [Fact]
    public void VocMalformedXmlNamesFileAndLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "bad.xml"), "<annotation>\n<size>\n</annotation>");
        var e = Assert.Throws<InvalidDataException>(() => VocDatasetReader.Read(folder.Path, folder.Path));
        Assert.Contains("bad.xml", e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("40.5")]
    [InlineData("99999999999999999999")]
    [InlineData("NaN")]
    public void VocImageSizeThatIsNoPixelCountIsNamed(string height)
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "odd.xml"), $"""
            <annotation><filename>a.png</filename><size><width>60</width><height>{height}</height></size>
              <object><name>dog</name><bndbox><xmin>11</xmin><ymin>6</ymin><xmax>30</xmax><ymax>20</ymax></bndbox></object>
            </annotation>
            """);
        // Was an ArgumentException from Math.Clamp (a negative size).
        var e = Assert.Throws<InvalidDataException>(() => VocDatasetReader.Read(folder.Path, folder.Path));
        Assert.Contains("odd.xml", e.Message);
        Assert.Contains($"<height> in <size> (line 1) is '{height}'; expected a whole number of pixels", e.Message);
    }

    [Fact]
    public void VocSizeOfZeroIsReadFromTheImage()
    {
        // Some exporters write 0 when they did not know the size; every box used to be dropped as outside a 0×0 image.
        using var folder = new TempFolder();
        Fixtures.WritePng(folder.Path, "a.png", 64, 48, seed: 1);
        File.WriteAllText(Path.Combine(folder.Path, "a.xml"), """
            <annotation><filename>a.png</filename><size><width>0</width><height>0</height></size>
              <object><name>dog</name><bndbox><xmin>11</xmin><ymin>6</ymin><xmax>30</xmax><ymax>20</ymax></bndbox></object>
            </annotation>
            """);
        var image = Assert.Single(VocDatasetReader.Read(folder.Path, folder.Path).Images);
        Assert.Equal((64, 48), (image.Width, image.Height));
        Assert.Single(image.Boxes);
    }

    [Fact]
    public void VocSizeOfZeroWithAnUnreadableImageNamesBothFiles()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "a.png"), "not an image");
        File.WriteAllText(Path.Combine(folder.Path, "a.xml"), """
            <annotation><filename>a.png</filename><size><width>0</width><height>0</height></size></annotation>
            """);
        var e = Assert.Throws<InvalidDataException>(() => VocDatasetReader.Read(folder.Path, folder.Path));
        Assert.Contains("a.xml", e.Message);
        Assert.Contains("a.png", e.Message);
        Assert.Contains("write the image's width and height into <size>", e.Message);
    }

    [Fact]
    public void VocNestedTooDeeplyIsRefusedBeforeTheTreeIsBuilt()
    {
        using var folder = new TempFolder();
        // 200,000 levels: XDocument alone would spend minutes (its time grows with the square of the depth).
        string nested = string.Concat(Enumerable.Repeat("<a>", 200_000)) + string.Concat(Enumerable.Repeat("</a>", 200_000));
        File.WriteAllText(Path.Combine(folder.Path, "deep.xml"), $"<annotation>\n<filename>a.png</filename>{nested}</annotation>");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<InvalidDataException>(() => VocDatasetReader.Read(folder.Path, folder.Path));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Contains("deep.xml: elements nested more than 64 deep (line 2)", e.Message);
    }

    [Fact]
    public void VocEntitiesAreNotExpanded()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "laughs.xml"), """
            <?xml version="1.0"?>
            <!DOCTYPE annotation [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <annotation><filename>&lol2;</filename><size><width>6</width><height>4</height></size></annotation>
            """);
        var e = Assert.Throws<InvalidDataException>(() => VocDatasetReader.Read(folder.Path, folder.Path));
        Assert.Contains("laughs.xml: malformed XML at line 3", e.Message);
    }

    [Fact]
    public void YoloConvertsNormalisedCentresToPixels()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "images"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "labels"));
        Fixtures.WritePng(Path.Combine(folder.Path, "images"), "a.png", 100, 50, 1);
        Fixtures.WritePng(Path.Combine(folder.Path, "images"), "b.png", 20, 20, 2);
        File.WriteAllText(Path.Combine(folder.Path, "labels", "a.txt"), "1 0.5 0.5 0.2 0.4\n\n0 0.1 0.1 0.0 0.1\n");
        File.WriteAllText(Path.Combine(folder.Path, "classes.txt"), "circle\nsquare\n");
        var dataset = YoloDatasetReader.Read(Path.Combine(folder.Path, "images"), Path.Combine(folder.Path, "labels"),
            Path.Combine(folder.Path, "classes.txt"));
        Assert.Equal(2, dataset.Images.Count);
        // cx .5, cy .5, w .2, h .4 on 100x50 → [40, 15, 60, 35]; the zero-width box is skipped and counted.
        var box = Assert.Single(dataset.Images[0].Boxes);
        Assert.Equal(1, box.CategoryId);
        Assert.Equal(40f, box.X0, 4);
        Assert.Equal(15f, box.Y0, 4);
        Assert.Equal(60f, box.X1, 4);
        Assert.Equal(35f, box.Y1, 4);
        Assert.Empty(dataset.Images[1].Boxes);
        Assert.Equal(1, dataset.Report.Count(DatasetReadReport.Kinds.ZeroAreaBox));
    }

    [Fact]
    public void YoloBadLineIsNamed()
    {
        using var folder = new TempFolder();
        Fixtures.WritePng(folder.Path, "a.png", 10, 10, 1);
        File.WriteAllText(Path.Combine(folder.Path, "a.txt"), "0 0.5 0.5 0.2\n");
        File.WriteAllText(Path.Combine(folder.Path, "classes.txt"), "x\n");
        var e = Assert.Throws<InvalidDataException>(() => YoloDatasetReader.Read(folder.Path, folder.Path, Path.Combine(folder.Path, "classes.txt")));
        Assert.Contains("a.txt:1", e.Message);
    }

    [Theory]
    [InlineData("x\n", "class 1 is outside the class list 'names.txt' (0..0, one name a line)")]
    [InlineData("\n\n", "class 0, but the class list 'names.txt' names no classes")]
    public void YoloClassOutsideTheListNamesTheLabelLineAndTheList(string classes, string expected)
    {
        using var folder = new TempFolder();
        Fixtures.WritePng(folder.Path, "a.png", 10, 10, 1);
        File.WriteAllText(Path.Combine(folder.Path, "a.txt"), "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n");
        File.WriteAllText(Path.Combine(folder.Path, "names.txt"), classes);
        // A class list cut short used to be reported against the label file alone.
        var e = Assert.Throws<InvalidDataException>(() => YoloDatasetReader.Read(folder.Path, folder.Path, Path.Combine(folder.Path, "names.txt")));
        Assert.Contains("a.txt:" + (classes.Trim().Length == 0 ? 1 : 2), e.Message);
        Assert.Contains(expected.Replace("'names.txt'", $"'{Path.Combine(folder.Path, "names.txt")}'"), e.Message);
    }

    [Fact]
    public void YoloHugeBadLineIsQuotedOnlyInPart()
    {
        using var folder = new TempFolder();
        Fixtures.WritePng(folder.Path, "a.png", 10, 10, 1);
        File.WriteAllText(Path.Combine(folder.Path, "a.txt"), "0 0.5 0.5 0.2 " + new string('[', 100_000) + "\n");
        File.WriteAllText(Path.Combine(folder.Path, "classes.txt"), "x\n");
        var e = Assert.Throws<InvalidDataException>(() => YoloDatasetReader.Read(folder.Path, folder.Path, Path.Combine(folder.Path, "classes.txt")));
        Assert.Contains("a.txt:1: expected 'class cx cy w h'", e.Message);
        Assert.Contains("… (100,014 characters)", e.Message);
        Assert.True(e.Message.Length < 1000, e.Message);
    }
}
