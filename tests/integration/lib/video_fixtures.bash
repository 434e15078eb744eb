# video_fixtures.bash — test videos made with ffmpeg's command-line tool from
# still photos (sourced by the video tests, the bench and the demo; never a
# test itself). Every video is small, low resolution and a few seconds long;
# the stills get noise and lossy compression on the way, as a scanned film
# or a camcorder would give them.

# Every ffmpeg here without stdin: run from a terminal, ffmpeg reads it as
# commands ('q' stops it), which cut a bench's decoding short.
ffmpeg() { command ffmpeg -nostdin "$@"; }

# vx_fit W H — the filter that letterboxes a still into W x H, square pixels.
vx_fit() { echo "scale=$1:$2:force_original_aspect_ratio=decrease,pad=$1:$2:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p"; }

# vx_scenes OUT W H A B C D [ffmpeg output options...] — 8 s at 25 fps, four
# scenes: A 0-2 s, a cut to B 2-3 s, a 1 s cross-fade B->C (3-4 s), C until
# 6 s, a cut to D 6-8 s. Default output: H.264, CRF 30.
vx_scenes() {
  local out=$1 w=$2 h=$3 a=$4 b=$5 c=$6 d=$7 fit
  shift 7
  fit=$(vx_fit "$w" "$h")
  [ $# -gt 0 ] || set -- -c:v libx264 -crf 30 -preset veryfast
  ffmpeg -v error -y -loop 1 -framerate 25 -t 2 -i "$a" -loop 1 -framerate 25 -t 2 -i "$b" \
    -loop 1 -framerate 25 -t 3 -i "$c" -loop 1 -framerate 25 -t 2 -i "$d" -filter_complex \
    "[0]$fit[a];[1]$fit[b];[2]$fit[c];[3]$fit[d];[b][c]xfade=transition=fade:duration=1:offset=1[bc];[a][bc][d]concat=n=3:v=1,noise=alls=12:allf=t,format=yuv420p[v]" \
    -map "[v]" "$@" "$out"
}
# Where vx_scenes' scenes begin and settle, in ms: a kept frame of scene k lies in [start, start + 1200).
VX_SCENE_STARTS=(0 2000 4000 6000)

# vx_zoom OUT W H PHOTO SECONDS — one scene: a slow zoom into PHOTO (2.5 % a second), so
# the picture moves but never cuts.
vx_zoom() {
  ffmpeg -v error -y -loop 1 -framerate 25 -t "$5" -i "$4" -filter_complex \
    "[0]$(vx_fit $(($2 * 2)) $(($3 * 2))),zoompan=z='1+0.001*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=$2x$3:fps=25,noise=alls=12:allf=t,format=yuv420p[v]" \
    -map "[v]" -t "$5" -c:v libx264 -crf 30 -preset veryfast "$1"
}

# vx_still OUT W H PHOTO SECONDS — one still scene with noise.
vx_still() {
  ffmpeg -v error -y -loop 1 -framerate 25 -t "$5" -i "$4" -vf "$(vx_fit "$2" "$3"),noise=alls=12:allf=t" \
    -c:v libx264 -crf 30 -preset veryfast "$1"
}
