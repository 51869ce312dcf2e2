;; The inner loops of batched gradients (src/network/gradientKernel.ts), in WebAssembly with 128-bit
;; SIMD. compress and spmm are float64, and every sum is an ordinary float64 sum in a fixed order: no
;; fused multiply-add, no lower precision. compress32 and spmm32 are their float32 twins (four lanes
;; instead of two), for ranking candidates only. The host owns the memory layout; pointers and strides are in
;; bytes.
;;
;; Rebuild the embedded binary after editing: npm run build:kernels
(module
  (memory (export "memory") 1)

  ;; compress: for each of `rows` rows of A (rows x m, row-major float64), list the entries that are
  ;; nonzero and, when `masked` is 1, whose mask entry M[floor(r/div), j] (rows of M also m long) is > 0.
  ;; Row r's list starts at index r*m of `idx` (int32: j * bRowBytes, the byte offset of row j of the
  ;; matrix B it will multiply) and of `val` (float64: A[r, j]); count[r] (int32) is its length.
  ;; Skipped entries (a ReLU that is off, a masked gradient) would add exactly nothing to a product.
  ;; Branch-free: every entry is written at the current end of the list, which advances if kept.
  (func (export "compress")
    (param $A i32) (param $M i32) (param $masked i32) (param $div i32)
    (param $rows i32) (param $m i32) (param $bRowBytes i32)
    (param $idx i32) (param $val i32) (param $count i32)
    (local $r i32) (local $j i32) (local $cnt i32) (local $a f64) (local $off i32)
    (local $src i32) (local $msrc i32) (local $ip i32) (local $vp i32) (local $unmasked i32)
    (local.set $src (local.get $A))
    (local.set $unmasked (i32.eqz (local.get $masked)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $cnt (i32.const 0))
        (local.set $off (i32.const 0))
        (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
        (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 3))))
        (local.set $msrc (i32.add (local.get $M)
          (i32.shl (i32.mul (i32.div_u (local.get $r) (local.get $div)) (local.get $m)) (i32.const 3))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $a (f64.load (local.get $src)))
            (i32.store (i32.add (local.get $ip) (i32.shl (local.get $cnt) (i32.const 2))) (local.get $off))
            (f64.store (i32.add (local.get $vp) (i32.shl (local.get $cnt) (i32.const 3))) (local.get $a))
            (local.set $cnt (i32.add (local.get $cnt)
              (i32.and (f64.ne (local.get $a) (f64.const 0))
                (i32.or (local.get $unmasked) (f64.gt (f64.load (local.get $msrc)) (f64.const 0))))))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $msrc (i32.add (local.get $msrc) (i32.const 8)))
            (local.set $off (i32.add (local.get $off) (local.get $bRowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $colLoop)))
        (i32.store (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2))) (local.get $cnt))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; spmm: C (rows x n) += A * B, with A given by `compress` (row stride m in idx/val) and B (m x n,
  ;; row-major float64). Each entry of C is summed in the order of A's nonzeros, from its old value.
  ;; Columns go in tiles of 12: six 2-lane accumulators kept in registers while the nonzeros of a row
  ;; stream past; then pairs of columns, then a last single column. Each accumulator is a chain of
  ;; dependent additions (the order of summation is fixed), so the tile needs enough of them to keep
  ;; the adders busy; measured on this project's machine (AMD EPYC, V8 in Node 20) at m = n = 256:
  ;; 4 accumulators (the earlier tile of 8 columns) 1.50 ms, 5 1.31, 6 1.20, 7 1.15, 8 1.71 (spills).
  ;; Six leaves registers to spare; unrolling over nonzeros did not help.
  (func (export "spmm")
    (param $rows i32) (param $m i32) (param $idx i32) (param $val i32) (param $count i32)
    (param $B i32) (param $n i32) (param $C i32)
    (local $c0 i32) (local $r i32) (local $t i32) (local $cnt i32) (local $ipEnd i32)
    (local $ip i32) (local $vp i32) (local $bt i32) (local $bp i32) (local $cp i32)
    (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local $x f64)
    ;; rows outer, tiles of 12 columns inner: the row's list of nonzeros stays in the L1 cache
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c0 (i32.const 0))
        (block $tilesDone
          (loop $tiles
            (br_if $tilesDone (i32.gt_u (i32.add (local.get $c0) (i32.const 12)) (local.get $n)))
            (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 3))))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 3))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 3))))
            (local.set $ipEnd (i32.add (local.get $ip)
              (i32.shl (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            (local.set $a0 (v128.load offset=0 (local.get $cp)))
            (local.set $a1 (v128.load offset=16 (local.get $cp)))
            (local.set $a2 (v128.load offset=32 (local.get $cp)))
            (local.set $a3 (v128.load offset=48 (local.get $cp)))
            (local.set $a4 (v128.load offset=64 (local.get $cp)))
            (local.set $a5 (v128.load offset=80 (local.get $cp)))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $ip) (local.get $ipEnd)))
                (local.set $s (v128.load64_splat (local.get $vp)))
                (local.set $bp (i32.add (local.get $bt) (i32.load (local.get $ip))))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $s) (v128.load offset=0 (local.get $bp)))))
                (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $s) (v128.load offset=16 (local.get $bp)))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $s) (v128.load offset=32 (local.get $bp)))))
                (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $s) (v128.load offset=48 (local.get $bp)))))
                (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $s) (v128.load offset=64 (local.get $bp)))))
                (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $s) (v128.load offset=80 (local.get $bp)))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
                (br $nz)))
            (v128.store offset=0 (local.get $cp) (local.get $a0))
            (v128.store offset=16 (local.get $cp) (local.get $a1))
            (v128.store offset=32 (local.get $cp) (local.get $a2))
            (v128.store offset=48 (local.get $cp) (local.get $a3))
            (v128.store offset=64 (local.get $cp) (local.get $a4))
            (v128.store offset=80 (local.get $cp) (local.get $a5))
            (local.set $c0 (i32.add (local.get $c0) (i32.const 12)))
            (br $tiles)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    ;; the columns left over: pairs (c0 is where the tiles stopped, the same for every row)
    (local.set $c0 (i32.mul (i32.div_u (local.get $n) (i32.const 12)) (i32.const 12)))
    (block $colPairsDone
      (loop $colPairs
        (br_if $colPairsDone (i32.gt_u (i32.add (local.get $c0) (i32.const 2)) (local.get $n)))
        (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 3))))
        (local.set $r (i32.const 0))
        (block $rows2Done
          (loop $rows2
            (br_if $rows2Done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 3))))
            (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 3))))
            (local.set $t (i32.const 0))
            (local.set $a0 (v128.load offset=0 (local.get $cp)))
            (block $nz2Done
              (loop $nz2
                (br_if $nz2Done (i32.ge_u (local.get $t) (local.get $cnt)))
                (local.set $s (v128.load64_splat (local.get $vp)))
                (local.set $bp (i32.add (local.get $bt) (i32.load (local.get $ip))))
                (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $s) (v128.load offset=0 (local.get $bp)))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $nz2)))
            (v128.store offset=0 (local.get $cp) (local.get $a0))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows2)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 2)))
        (br $colPairs)))
    (if (i32.lt_u (local.get $c0) (local.get $n))
      (then
        (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 3))))
        (local.set $r (i32.const 0))
        (block $rows1Done
          (loop $rows1
            (br_if $rows1Done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 3))))
            (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 3))))
            (local.set $t (i32.const 0))
            (local.set $x (f64.load (local.get $cp)))
            (block $nz1Done
              (loop $nz1
                (br_if $nz1Done (i32.ge_u (local.get $t) (local.get $cnt)))
                (local.set $x (f64.add (local.get $x)
                  (f64.mul (f64.load (local.get $vp)) (f64.load (i32.add (local.get $bt) (i32.load (local.get $ip)))))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $nz1)))
            (f64.store (local.get $cp) (local.get $x))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows1)))
      )))

  ;; compress32: `compress` for float32 matrices (A, M and val hold float32; idx as before).
  (func (export "compress32")
    (param $A i32) (param $M i32) (param $masked i32) (param $div i32)
    (param $rows i32) (param $m i32) (param $bRowBytes i32)
    (param $idx i32) (param $val i32) (param $count i32)
    (local $r i32) (local $j i32) (local $cnt i32) (local $a f32) (local $off i32)
    (local $src i32) (local $msrc i32) (local $ip i32) (local $vp i32) (local $unmasked i32)
    (local.set $src (local.get $A))
    (local.set $unmasked (i32.eqz (local.get $masked)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $cnt (i32.const 0))
        (local.set $off (i32.const 0))
        (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
        (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
        (local.set $msrc (i32.add (local.get $M)
          (i32.shl (i32.mul (i32.div_u (local.get $r) (local.get $div)) (local.get $m)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $a (f32.load (local.get $src)))
            (i32.store (i32.add (local.get $ip) (i32.shl (local.get $cnt) (i32.const 2))) (local.get $off))
            (f32.store (i32.add (local.get $vp) (i32.shl (local.get $cnt) (i32.const 2))) (local.get $a))
            (local.set $cnt (i32.add (local.get $cnt)
              (i32.and (f32.ne (local.get $a) (f32.const 0))
                (i32.or (local.get $unmasked) (f32.gt (f32.load (local.get $msrc)) (f32.const 0))))))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $msrc (i32.add (local.get $msrc) (i32.const 4)))
            (local.set $off (i32.add (local.get $off) (local.get $bRowBytes)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $colLoop)))
        (i32.store (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2))) (local.get $cnt))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))


  ;; spmm32: `spmm` for float32 (val, B and C hold float32), four lanes per vector: tiles of 24
  ;; columns (six accumulators, as in spmm), then groups of 4 columns, then single columns. Used only
  ;; to rank candidates: nothing reported is ever computed in float32.
  (func (export "spmm32")
    (param $rows i32) (param $m i32) (param $idx i32) (param $val i32) (param $count i32)
    (param $B i32) (param $n i32) (param $C i32)
    (local $c0 i32) (local $r i32) (local $t i32) (local $cnt i32) (local $ipEnd i32)
    (local $ip i32) (local $vp i32) (local $bt i32) (local $bp i32) (local $cp i32)
    (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local $x f32)
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c0 (i32.const 0))
        (block $tilesDone
          (loop $tiles
            (br_if $tilesDone (i32.gt_u (i32.add (local.get $c0) (i32.const 24)) (local.get $n)))
            (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 2))))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 2))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $ipEnd (i32.add (local.get $ip)
              (i32.shl (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2))))
            (local.set $a0 (v128.load offset=0 (local.get $cp)))
            (local.set $a1 (v128.load offset=16 (local.get $cp)))
            (local.set $a2 (v128.load offset=32 (local.get $cp)))
            (local.set $a3 (v128.load offset=48 (local.get $cp)))
            (local.set $a4 (v128.load offset=64 (local.get $cp)))
            (local.set $a5 (v128.load offset=80 (local.get $cp)))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $ip) (local.get $ipEnd)))
                (local.set $s (v128.load32_splat (local.get $vp)))
                (local.set $bp (i32.add (local.get $bt) (i32.load (local.get $ip))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load offset=0 (local.get $bp)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $bp)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $bp)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $bp)))))
                (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (v128.load offset=64 (local.get $bp)))))
                (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (v128.load offset=80 (local.get $bp)))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 4)))
                (br $nz)))
            (v128.store offset=0 (local.get $cp) (local.get $a0))
            (v128.store offset=16 (local.get $cp) (local.get $a1))
            (v128.store offset=32 (local.get $cp) (local.get $a2))
            (v128.store offset=48 (local.get $cp) (local.get $a3))
            (v128.store offset=64 (local.get $cp) (local.get $a4))
            (v128.store offset=80 (local.get $cp) (local.get $a5))
            (local.set $c0 (i32.add (local.get $c0) (i32.const 24)))
            (br $tiles)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop)))
    (local.set $c0 (i32.mul (i32.div_u (local.get $n) (i32.const 24)) (i32.const 24)))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $c0) (i32.const 4)) (local.get $n)))
        (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rows4Done
          (loop $rows4
            (br_if $rows4Done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 2))))
            (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $t (i32.const 0))
            (local.set $a0 (v128.load (local.get $cp)))
            (block $nz4Done
              (loop $nz4
                (br_if $nz4Done (i32.ge_u (local.get $t) (local.get $cnt)))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $vp))
                  (v128.load (i32.add (local.get $bt) (i32.load (local.get $ip)))))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 4)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $nz4)))
            (v128.store (local.get $cp) (local.get $a0))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows4)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 4)))
        (br $quads)))
    (block $singlesDone
      (loop $singles
        (br_if $singlesDone (i32.ge_u (local.get $c0) (local.get $n)))
        (local.set $bt (i32.add (local.get $B) (i32.shl (local.get $c0) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rows1Done
          (loop $rows1
            (br_if $rows1Done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $cp (i32.add (local.get $C)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $n)) (local.get $c0)) (i32.const 2))))
            (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $ip (i32.add (local.get $idx) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $vp (i32.add (local.get $val) (i32.shl (i32.mul (local.get $r) (local.get $m)) (i32.const 2))))
            (local.set $t (i32.const 0))
            (local.set $x (f32.load (local.get $cp)))
            (block $nz1Done
              (loop $nz1
                (br_if $nz1Done (i32.ge_u (local.get $t) (local.get $cnt)))
                (local.set $x (f32.add (local.get $x)
                  (f32.mul (f32.load (local.get $vp)) (f32.load (i32.add (local.get $bt) (i32.load (local.get $ip)))))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 4)))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (br $nz1)))
            (f32.store (local.get $cp) (local.get $x))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows1)))
        (local.set $c0 (i32.add (local.get $c0) (i32.const 1)))
        (br $singles)))
  )
)
