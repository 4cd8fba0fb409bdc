package com.betterdb.semanticcache.examples; public class PipelineDemo { public static void main(String[] a){ System.out.println("demo placeholder"); } }
