using System;
using System.IO;
using System.Text;

// MSBuild inline task (compiled by RoslynCodeTaskFactory): marks one ELF version requirement as weak
// when the system libstdc++ does not define it. See Detr.Training.targets for why.
// The ELF reading below is also compiled into Detr.Training (DETR_TRAINING_ASSEMBLY), which applies the same mark at
// run time where TorchSharp is used straight from the NuGet cache (notebooks): see Native/PackagedLibTorchSharp.cs.
#if !DETR_TRAINING_ASSEMBLY
public class DetrMarkGlibcxxRequirementWeak : Microsoft.Build.Utilities.Task
{
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
    public string Version { get; set; } = "";

    // Set when the output runs on other machines (a packed .NET tool): the build machine's libstdc++ says nothing then.
    public bool EvenWhereTheSystemDefinesIt { get; set; }

    public override bool Execute()
    {
        if (!EvenWhereTheSystemDefinesIt && Detr.Training.Native.ElfVersionRequirement.SystemLibStdCxxDefines(Version))
            return true;
        foreach (var item in Libraries)
        {
            string path = item.ItemSpec;
            byte[] elf = File.ReadAllBytes(path);
            if (!Detr.Training.Native.ElfVersionRequirement.TrySetWeak(elf, Version, out bool changed, out string problem))
            {
                Log.LogWarning("Could not mark {0} weak in {1}: {2}", Version, path, problem);
                continue;
            }
            if (!changed)
                continue;
            // Write beside and rename: atomic, and it breaks any hard link to the NuGet cache.
            string temp = path + ".detr-tmp";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, path, null);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Marked {0} weak in {1}", Version, path);
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

namespace Detr.Training.Native
{
    /// <summary>Reads and flags the version requirements (.gnu.version_r) of a 64-bit little-endian ELF library.</summary>
    internal static class ElfVersionRequirement
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;

        public static bool SystemLibStdCxxDefines(string version)
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (string candidate in candidates)
            {
                if (!File.Exists(candidate))
                    continue;
                byte[] bytes = File.ReadAllBytes(candidate);
                return IndexOf(bytes, needle) >= 0;
            }
            return false;
        }

        static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        // ELF64 little-endian only (linux-x64, linux-arm64): walk .gnu.version_r and flag the named entry.
        public static bool TrySetWeak(byte[] elf, string version, out bool changed, out string problem)
        {
            changed = false;
            problem = "";
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            {
                problem = "not a 64-bit little-endian ELF file";
                return false;
            }
            long sectionHeaders = BitConverter.ToInt64(elf, 0x28);
            int entrySize = BitConverter.ToUInt16(elf, 0x3A);
            int count = BitConverter.ToUInt16(elf, 0x3C);
            for (int s = 0; s < count; s++)
            {
                long header = sectionHeaders + (long)s * entrySize;
                if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed)
                    continue;
                long offset = BitConverter.ToInt64(elf, (int)header + 0x18);
                int link = BitConverter.ToInt32(elf, (int)header + 0x28);
                int needCount = BitConverter.ToInt32(elf, (int)header + 0x2C);
                long strings = BitConverter.ToInt64(elf, (int)(sectionHeaders + (long)link * entrySize) + 0x18);
                long need = offset;
                for (int n = 0; n < needCount; n++)
                {
                    int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        int nameOffset = BitConverter.ToInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, strings + nameOffset) == version)
                        {
                            ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                            if ((flags & VerFlgWeak) == 0)
                            {
                                BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                                changed = true;
                            }
                            return true;
                        }
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    need += BitConverter.ToUInt32(elf, (int)need + 12);
                }
                return true; // the library does not ask for this version: nothing to do
            }
            problem = "no .gnu.version_r section";
            return false;
        }

        static string ReadCString(byte[] bytes, long start)
        {
            int end = (int)start;
            while (bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, (int)start, end - (int)start);
        }
    }
}
