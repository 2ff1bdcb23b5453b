<?xml version="1.0" encoding="UTF-8"?>
<!-- tftui lab: renders Sandesh introspect XML in a browser. Written for tftui (Apache-2.0); it plays the
     part of the stylesheet real introspect servers serve at /universal_parse.xsl. Module pages
     (type="rlist") become one form per request, fields in declaration order (the server binds them by
     position); replies become nested tables, a list of structs as a table with the struct's fields as
     columns, and linked fields as links to the request they name. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html" encoding="UTF-8" indent="yes"/>

  <xsl:template match="/">
    <html>
      <head>
        <title><xsl:value-of select="name(*[1])"/></title>
        <link href="/css/style.css" rel="stylesheet" type="text/css"/>
      </head>
      <body><xsl:apply-templates select="*"/></body>
    </html>
  </xsl:template>

  <!-- a module page: one form per request -->
  <xsl:template match="*[@type='rlist']">
    <h1><xsl:value-of select="name()"/></h1>
    <xsl:for-each select="*[@type='sandesh']">
      <form action="Snh_{name()}" method="get">
        <h2><xsl:value-of select="name()"/></h2>
        <xsl:for-each select="*">
          <label><xsl:value-of select="name()"/> (<xsl:value-of select="@type"/>)
            <input type="text" name="{name()}" value=""/></label><br/>
        </xsl:for-each>
        <input type="submit" value="Send"/>
      </form>
    </xsl:for-each>
  </xsl:template>

  <!-- a multi-part reply -->
  <xsl:template match="*[@type='slist']">
    <xsl:apply-templates select="*"/>
  </xsl:template>

  <!-- one response -->
  <xsl:template match="*[@type='sandesh']">
    <h2><xsl:value-of select="name()"/></h2>
    <table class="fields"><xsl:apply-templates select="*[not(name()='more')]" mode="row"/></table>
  </xsl:template>

  <xsl:template match="*" mode="row">
    <tr><th><xsl:value-of select="name()"/></th><td><xsl:apply-templates select="." mode="value"/></td></tr>
  </xsl:template>

  <xsl:template match="*[@link]" mode="value">
    <a href="Snh_{@link}?x={.}"><xsl:value-of select="."/></a>
  </xsl:template>

  <xsl:template match="*[@type='struct']" mode="value">
    <table class="struct"><xsl:apply-templates select="*/*" mode="row"/></table>
  </xsl:template>

  <xsl:template match="*[@type='list']" mode="value">
    <xsl:choose>
      <xsl:when test="list/@type='struct'">
        <table class="list">
          <tr><xsl:for-each select="list/*[1]/*"><th><xsl:value-of select="name()"/></th></xsl:for-each></tr>
          <xsl:for-each select="list/*">
            <tr><xsl:for-each select="*"><td><xsl:apply-templates select="." mode="value"/></td></xsl:for-each></tr>
          </xsl:for-each>
        </table>
      </xsl:when>
      <xsl:otherwise>
        <xsl:for-each select="list/element"><xsl:value-of select="."/><br/></xsl:for-each>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="*[@type='map']" mode="value">
    <table class="map">
      <xsl:for-each select="map/element[position() mod 2 = 1]">
        <tr><th><xsl:value-of select="."/></th>
          <td><xsl:apply-templates select="following-sibling::*[1]" mode="mapvalue"/></td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="element" mode="mapvalue"><xsl:value-of select="."/></xsl:template>
  <xsl:template match="*" mode="mapvalue">
    <table class="struct"><xsl:apply-templates select="*" mode="row"/></table>
  </xsl:template>

  <xsl:template match="*" mode="value"><xsl:value-of select="."/></xsl:template>
</xsl:stylesheet>
