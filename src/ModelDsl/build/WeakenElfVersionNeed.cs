// Inline MSBuild task (compiled by RoslynCodeTaskFactory from ModelDsl.targets).
//
// Marks one symbol-version requirement of an ELF shared library as weak (VER_FLG_WEAK in the
// Vernaux entry of .gnu.version_r). glibc's loader then only warns (under LD_DEBUG) instead of
// refusing to load the library when the providing library lacks that version.
//
// Why: TorchSharp's libLibTorchSharp.so is linked against GCC 13's libstdc++ and therefore
// needs GLIBCXX_3.4.32, although the only symbol bound to that version,
// std::ios_base_library_init(), is never the target of a relocation. Older distributions
// (Debian 12: up to GLIBCXX_3.4.30) refuse to load it. See docs/native-libraries.md.
//
// RoslynCodeTaskFactory compiles against netstandard 2.0 reference assemblies, so only that API
// surface is available here (e.g. no File.Move(..., overwrite), no BinaryPrimitives).
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeed : Task
{
    private const ushort VerFlagWeak = 0x2;       // VER_FLG_WEAK
    private const string WarningCode = "MDSLBUILD001";

    /// <summary>The shared libraries to patch in place (output copies, never the NuGet cache).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The needed library whose version requirement is weakened, e.g. libstdc++.so.6.</summary>
    [Required]
    public string LibraryName { get; set; } = string.Empty;

    /// <summary>The version requirement to weaken, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string VersionName { get; set; } = string.Empty;

    /// <summary>
    /// Directories (separated by ':' or ';') searched for the system copy of <see cref="LibraryName"/>
    /// when the current process has not loaded it.
    /// </summary>
    public string SearchPath { get; set; } = string.Empty;

    /// <summary>The files that were rewritten by this invocation.</summary>
    [Output]
    public ITaskItem[] PatchedFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>True when a warning was logged, so the caller can keep the check from being skipped next time.</summary>
    [Output]
    public bool LoggedWarnings { get; set; }

    public override bool Execute()
    {
        var patched = new List<ITaskItem>();
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                if (TryPatch(path))
                {
                    patched.Add(item);
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
            {
                Warn(path, $"Could not weaken the {VersionName} requirement on {LibraryName}: {e.Message} The file was left unchanged; it may fail to load on this system.");
            }
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    private bool TryPatch(string path)
    {
        var elf = new Elf(File.ReadAllBytes(path));
        Elf.VersionNeed? need = elf.FindVersionNeed(LibraryName, VersionName);
        if (need == null)
        {
            Log.LogMessage(MessageImportance.Low, $"{path}: does not require {VersionName} from {LibraryName}; nothing to do.");
            return false;
        }

        if ((need.Flags & VerFlagWeak) != 0)
        {
            Log.LogMessage(MessageImportance.Low, $"{path}: {VersionName} requirement is already weak; nothing to do.");
            return false;
        }

        // Gate: only touch the file when this machine's library really lacks the version.
        string? systemLibrary = FindSystemLibrary(elf.Machine);
        if (systemLibrary == null)
        {
            Log.LogMessage(MessageImportance.Normal, $"{path}: {LibraryName} not found on this system; left unchanged.");
            return false;
        }

        if (new Elf(File.ReadAllBytes(systemLibrary)).DefinesVersion(VersionName))
        {
            Log.LogMessage(MessageImportance.Low, $"{path}: {systemLibrary} provides {VersionName}; left unchanged.");
            return false;
        }

        // Weakening is only safe if nothing is actually bound to that version: a relocation
        // against such a symbol would still fail (at load or first call) after the patch.
        if (elf.RelocationsUseVersion(need.VersionIndex))
        {
            Warn(path, $"Symbols bound to {VersionName} are referenced by relocations, so marking the requirement weak would not make the library usable with {systemLibrary}. The file was left unchanged.");
            return false;
        }

        WriteFlagsAtomically(path, need.FlagsOffset, (ushort)(need.Flags | VerFlagWeak));
        Log.LogMessage(MessageImportance.Normal, $"ModelDsl: marked the {VersionName} requirement on {LibraryName} as weak in {path} ({systemLibrary} does not provide it).");
        return true;
    }

    // The output copy may be a hard or symbolic link into the NuGet cache, so never write through it:
    // patch a private copy and rename it over the original, which replaces only the directory entry.
    private static void WriteFlagsAtomically(string path, long offset, ushort flags)
    {
        string temp = path + ".modeldsl-" + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            // A real copy of the content (through a symbolic link, too), with its permission bits and times.
            File.Copy(path, temp, overwrite: false);
            DateTime lastWrite = File.GetLastWriteTimeUtc(temp);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Position = offset;
                stream.WriteByte((byte)flags);
                stream.WriteByte((byte)(flags >> 8));
            }

            // Keep the original timestamp: the size is unchanged too, so Copy's SkipUnchangedFiles and
            // publish's PreserveNewest keep treating the file as up to date instead of copying the
            // unpatched original over it (and this task patching it again) on every build.
            File.SetLastWriteTimeUtc(temp, lastWrite);

            // netstandard has no File.Move(overwrite); on Unix, File.Replace without a backup is rename(2).
            File.Replace(temp, path, destinationBackupFileName: null);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    // Prefer the copy this process has mapped: MSBuild runs on the dotnet host, which links
    // libstdc++ dynamically, as does the host that will run the application. Otherwise search the
    // usual loader directories (roughly as ld.so would), skipping libraries for another architecture.
    private string? FindSystemLibrary(ushort machine)
    {
        var candidates = new List<string>();
        if (File.Exists("/proc/self/maps"))
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                // Mappings show the resolved file, e.g. libstdc++.so.6.0.30 for libstdc++.so.6.
                int slash = line.IndexOf('/');
                string name = slash >= 0 ? Path.GetFileName(line.Substring(slash)) : string.Empty;
                if (name == LibraryName || name.StartsWith(LibraryName + ".", StringComparison.Ordinal))
                {
                    candidates.Add(line.Substring(slash));
                }
            }
        }

        foreach (string directory in SearchPath.Split(new[] { ':', ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(directory.Trim(), LibraryName));
        }

        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate) && Elf.IsLoadable(candidate, machine))
            {
                return candidate;
            }
        }

        return null;
    }

    private void Warn(string file, string message)
    {
        Log.LogWarning(null, WarningCode, null, file, 0, 0, 0, 0, message);
        LoggedWarnings = true;
    }

    /// <summary>Minimal reader for little-endian ELF64 section headers and symbol versioning.</summary>
    private sealed class Elf
    {
        private const uint ShtRela = 4, ShtRel = 9;
        private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        private readonly byte[] _data;
        private readonly Section[] _sections;

        public Elf(byte[] data)
        {
            _data = data;
            if (!HasElf64LittleEndianHeader(data))
            {
                throw new InvalidDataException("not a little-endian ELF64 file.");
            }

            Machine = U16(18);
            long shoff = (long)U64(0x28);
            int shentsize = U16(0x3A), shnum = U16(0x3C), shstrndx = U16(0x3E);
            if (shoff == 0 || shnum == 0 || shentsize < 64 || shstrndx >= shnum)
            {
                throw new InvalidDataException("unexpected ELF section header table.");
            }

            _sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                _sections[i] = new Section(U32(h), U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), U32(h + 40), U32(h + 44));
                Check(_sections[i].Offset, _sections[i].Type == 8 /* SHT_NOBITS */ ? 0 : _sections[i].Size);
            }

            foreach (Section s in _sections)
            {
                s.Name = ReadString(_sections[shstrndx], s.NameIndex);
            }
        }

        public ushort Machine { get; }

        public static bool IsLoadable(string path, ushort machine)
        {
            var header = new byte[20];
            using (var stream = File.OpenRead(path))
            {
                if (stream.Read(header, 0, header.Length) != header.Length)
                {
                    return false;
                }
            }

            return HasElf64LittleEndianHeader(header) && (header[18] | header[19] << 8) == machine;
        }

        /// <summary>Finds the Vernaux entry requiring <paramref name="version"/> from <paramref name="file"/>.</summary>
        public VersionNeed? FindVersionNeed(string file, string version)
        {
            Section verneed = Single(ShtGnuVerneed, ".gnu.version_r");
            Section strings = StringTable(verneed);

            // sh_info holds the number of Verneed entries; the chains are linked by byte offsets.
            long vn = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                ushort count = U16(vn + 2);
                if (ReadString(strings, U32(vn + 4)) == file)
                {
                    long vna = vn + U32(vn + 8);
                    for (int j = 0; j < count; j++)
                    {
                        if (ReadString(strings, U32(vna + 8)) == version)
                        {
                            return new VersionNeed(vna + 4, U16(vna + 4), U16(vna + 6));
                        }

                        vna += U32(vna + 12);
                    }
                }

                uint next = U32(vn + 12);
                if (next == 0)
                {
                    break;
                }

                vn += next;
            }

            return null;
        }

        /// <summary>Whether a Verdef entry (.gnu.version_d) defines <paramref name="version"/>.</summary>
        public bool DefinesVersion(string version)
        {
            Section verdef = Single(ShtGnuVerdef, ".gnu.version_d");
            Section strings = StringTable(verdef);

            long vd = verdef.Offset;
            for (uint i = 0; i < verdef.Info; i++)
            {
                // The first Verdaux names the version itself; later ones name its predecessors.
                if (U16(vd + 6) > 0 && ReadString(strings, U32(vd + U32(vd + 12))) == version)
                {
                    return true;
                }

                uint next = U32(vd + 16);
                if (next == 0)
                {
                    break;
                }

                vd += next;
            }

            return false;
        }

        /// <summary>Whether any relocation refers to a dynamic symbol bound to version index <paramref name="index"/>.</summary>
        public bool RelocationsUseVersion(ushort index)
        {
            Section versym = Single(ShtGnuVersym, ".gnu.version");
            foreach (Section s in _sections)
            {
                // Only relocations against the dynamic symbol table, which .gnu.version parallels.
                if ((s.Type != ShtRela && s.Type != ShtRel) || s.Link != versym.Link)
                {
                    continue;
                }

                long entrySize = s.Type == ShtRela ? 24 : 16;
                for (long r = s.Offset; r + entrySize <= s.Offset + s.Size; r += entrySize)
                {
                    long symbol = (long)(U64(r + 8) >> 32); // ELF64_R_SYM(r_info)
                    if (symbol != 0 && (U16(versym.Offset + symbol * 2) & 0x7fff) == index)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static bool HasElf64LittleEndianHeader(byte[] d) =>
            d.Length >= 20 && d[0] == 0x7f && d[1] == (byte)'E' && d[2] == (byte)'L' && d[3] == (byte)'F'
            && d[4] == 2 /* ELFCLASS64 */ && d[5] == 1 /* ELFDATA2LSB */;

        private Section Single(uint type, string name)
        {
            foreach (Section s in _sections)
            {
                if (s.Type == type && s.Name == name)
                {
                    return s;
                }
            }

            throw new InvalidDataException($"no {name} section.");
        }

        private Section StringTable(Section owner) =>
            owner.Link < _sections.Length ? _sections[owner.Link] : throw new InvalidDataException($"{owner.Name} links to a missing string table.");

        private string ReadString(Section table, uint index)
        {
            if (index >= table.Size)
            {
                throw new InvalidDataException($"string offset {index} is outside {table.Name}.");
            }

            long start = table.Offset + index, end = start;
            while (end < table.Offset + table.Size && _data[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(_data, (int)start, (int)(end - start));
        }

        private void Check(long offset, long length)
        {
            if (offset < 0 || length < 0 || offset + length > _data.Length)
            {
                throw new InvalidDataException($"truncated or malformed file (offset 0x{offset:x} + {length} bytes lies outside it).");
            }
        }

        private ushort U16(long o)
        {
            Check(o, 2);
            return (ushort)(_data[o] | _data[o + 1] << 8);
        }

        private uint U32(long o) => U16(o) | (uint)U16(o + 2) << 16;

        private ulong U64(long o) => U32(o) | (ulong)U32(o + 4) << 32;

        public sealed class VersionNeed
        {
            public VersionNeed(long flagsOffset, ushort flags, ushort versionIndex)
            {
                FlagsOffset = flagsOffset;
                Flags = flags;
                VersionIndex = versionIndex;
            }

            public long FlagsOffset { get; }   // file offset of vna_flags

            public ushort Flags { get; }        // vna_flags

            public ushort VersionIndex { get; } // vna_other: the index used in .gnu.version
        }

        private sealed class Section
        {
            public Section(uint nameIndex, uint type, long offset, long size, uint link, uint info)
            {
                NameIndex = nameIndex;
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public uint NameIndex { get; }

            public string Name { get; set; } = string.Empty;

            public uint Type { get; }

            public long Offset { get; }

            public long Size { get; }

            public uint Link { get; }

            public uint Info { get; }
        }
    }
}
